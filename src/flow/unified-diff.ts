import { createTwoFilesPatch } from 'diff';

/** A unified diff (3 lines of context) of one flow file, for plans and reports; '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, fileName: string): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(fileName, fileName, oldText, newText, undefined, undefined, { context: 3 });
}
