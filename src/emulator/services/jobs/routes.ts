import type { Emulator } from '../../context.js';
import { badRequest, notFound } from '../../core/errors.js';
import { json, parseJsonBody, type Reply, type RequestContext } from '../../core/http.js';
import { arrayParam } from '../../core/query.js';
import type { Router } from '../../core/router.js';
import { isRecord } from '../../archy/parse.js';
import { exportContent, registerExportJob } from './export-model.js';
import { registerImportJob, startImportJob } from './import-model.js';
import { presignedUrl, s3Error, signatureValid, UPLOAD_HEADERS } from './presigned.js';

const expandsMessages = (ctx: RequestContext): boolean => arrayParam(ctx.query, 'expand').includes('messages');

export function registerJobRoutes(router: Router, emu: Emulator): void {
  const key = emu.options.clientSecret;

  router.add('POST', '/api/v2/flows/jobs', (ctx) => {
    const body = parseJsonBody(ctx.body);
    if (body !== undefined && !isRecord(body)) throw badRequest('The request body must be a JSON object.', 'invalid.value');
    const job = registerImportJob(emu, ctx.token?.clientId ?? emu.client.id, body?.createStubs === true, ctx.now);
    return json({
      id: job.id,
      presignedUrl: presignedUrl(ctx.baseUrl, key, 'uploads', job.id, ctx.now),
      headers: { ...UPLOAD_HEADERS },
      selfUri: `/api/v2/flows/jobs/${job.id}`,
    });
  });
  router.add('GET', '/api/v2/flows/jobs/:jobId', (ctx) => {
    const job = emu.store.state.importJobs.get(ctx.params.jobId as string);
    if (!job) throw notFound(`Could not find the Architect job with id ${ctx.params.jobId}.`);
    return json({
      id: job.id,
      status: job.status,
      command: 'Publish',
      ...(job.flowId ? { flow: { id: job.flowId, selfUri: `/api/v2/flows/${job.flowId}` } } : {}),
      ...(expandsMessages(ctx) ? { messages: job.messages } : {}),
      selfUri: `/api/v2/flows/jobs/${job.id}`,
    });
  });

  router.add('POST', '/api/v2/flows/export/jobs', (ctx) => {
    const job = registerExportJob(emu, parseJsonBody(ctx.body), ctx.now);
    return json({ id: job.id, status: job.status, totalFlows: job.totalFlows, selfUri: `/api/v2/flows/export/jobs/${job.id}` });
  });
  router.add('GET', '/api/v2/flows/export/jobs/:jobId', (ctx) => {
    const job = emu.store.state.exportJobs.get(ctx.params.jobId as string);
    if (!job) throw notFound(`Could not find the export job with id ${ctx.params.jobId}.`);
    return json({
      id: job.id,
      status: job.status,
      command: 'Export',
      ...(job.status === 'Success' ? { downloadUrl: presignedUrl(ctx.baseUrl, key, 'downloads', job.id, ctx.now) } : {}),
      ...(expandsMessages(ctx) ? { messages: job.messages } : {}),
      selfUri: `/api/v2/flows/export/jobs/${job.id}`,
    });
  });
}

const s3 = (status: number, code: string, text: string): Reply => ({ status, raw: s3Error(code, text), contentType: 'application/xml' });

/** PUT /__presigned/uploads/{jobId}: S3 semantics, no bearer token, every header of the job's `headers`. */
export function handleUpload(emu: Emulator, ctx: RequestContext, jobId: string): Reply {
  if (ctx.method !== 'PUT') return s3(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  if (!signatureValid(emu.options.clientSecret, 'uploads', jobId, ctx.query)) {
    return s3(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  for (const [name, value] of Object.entries(UPLOAD_HEADERS)) {
    const sent = ctx.req.headers[name.toLowerCase()];
    if (typeof sent !== 'string' || sent.split(';')[0]?.trim().toLowerCase() !== value.toLowerCase()) {
      return s3(403, 'AccessDenied', `There were headers present in the request which were not signed: ${name} is missing or wrong.`);
    }
  }
  const job = emu.store.state.importJobs.get(jobId);
  if (!job) return s3(404, 'NoSuchKey', 'The specified key does not exist.');
  if (job.status !== 'Registered') return s3(400, 'InvalidRequest', 'A file was already uploaded for this job.');
  startImportJob(emu, job, ctx.body.toString('utf8'), ctx.now);
  return { status: 200, headers: { etag: `"${jobId}"` } };
}

/** GET /__presigned/downloads/{jobId}: the export file. */
export function handleDownload(emu: Emulator, ctx: RequestContext, jobId: string): Reply {
  if (ctx.method !== 'GET') return s3(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
  if (!signatureValid(emu.options.clientSecret, 'downloads', jobId, ctx.query)) {
    return s3(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  const job = emu.store.state.exportJobs.get(jobId);
  if (!job || job.status !== 'Success') return s3(404, 'NoSuchKey', 'The specified key does not exist.');
  const content = exportContent(emu, job);
  return {
    status: 200,
    raw: content.body,
    contentType: content.contentType,
    headers: { 'content-disposition': `attachment; filename="${content.fileName.replace(/"/g, '')}"` },
  };
}
