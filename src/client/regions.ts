/**
 * Genesys Cloud regions (genesys-api.md §1.1): the JS SDK's `PureCloudRegionHosts` keys, the Terraform provider's
 * AWS-style keys, and the environment domains they stand for. API = `https://api.<env>`, login = `https://login.<env>`.
 */
const REGIONS: readonly (readonly [sdkKey: string, awsKey: string, domain: string])[] = [
  ['us_east_1', 'us-east-1', 'mypurecloud.com'],
  ['us_east_2', 'us-east-2', 'use2.us-gov-pure.cloud'],
  ['us_west_2', 'us-west-2', 'usw2.pure.cloud'],
  ['ca_central_1', 'ca-central-1', 'cac1.pure.cloud'],
  ['sa_east_1', 'sa-east-1', 'sae1.pure.cloud'],
  ['mx_central_1', 'mx-central-1', 'mxc1.pure.cloud'],
  ['eu_west_1', 'eu-west-1', 'mypurecloud.ie'],
  ['eu_west_2', 'eu-west-2', 'euw2.pure.cloud'],
  ['eu_central_1', 'eu-central-1', 'mypurecloud.de'],
  ['eu_central_2', 'eu-central-2', 'euc2.pure.cloud'],
  ['eusc_de_east_1', 'eusc-de-east-1', 'edee1.eusc-pure.cloud'],
  ['me_central_1', 'me-central-1', 'mec1.pure.cloud'],
  ['ap_south_1', 'ap-south-1', 'aps1.pure.cloud'],
  ['ap_southeast_1', 'ap-southeast-1', 'apse1.pure.cloud'],
  ['ap_southeast_2', 'ap-southeast-2', 'mypurecloud.com.au'],
  ['ap_northeast_1', 'ap-northeast-1', 'mypurecloud.jp'],
  ['ap_northeast_2', 'ap-northeast-2', 'apne2.pure.cloud'],
  ['ap_northeast_3', 'ap-northeast-3', 'apne3.pure.cloud'],
  // Genesys-internal development and test environments, as the Terraform provider maps them.
  ['dca', 'dca', 'inindca.com'],
  ['tca', 'tca', 'inintca.com'],
];

export const REGION_DOMAINS: readonly string[] = REGIONS.map(([, , domain]) => domain);

const DOMAIN_BY_KEY = new Map<string, string>();
for (const [sdkKey, awsKey, domain] of REGIONS) {
  DOMAIN_BY_KEY.set(sdkKey, domain);
  DOMAIN_BY_KEY.set(awsKey, domain);
  DOMAIN_BY_KEY.set(domain, domain);
}

/** `mypurecloud.ie`, `eu_west_1` or `eu-west-1` -> `mypurecloud.ie`; undefined when not a known region. */
export function regionDomain(value: string): string | undefined {
  return DOMAIN_BY_KEY.get(value.trim().toLowerCase().replace(/\.$/, ''));
}
