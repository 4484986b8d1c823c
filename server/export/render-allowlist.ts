// One entry point for the API and the CLI: a format name → the rendered allow-list, its media type,
// a file extension and the warnings. `surfacemap export allowlist --format F` and
// `GET /api/v1/export/allowlist?format=F` both call this once.
import type { AllowRule } from '../intent/model.js';
import { buildAws, type AwsOptions } from './render-aws.js';
import { buildCilium } from './render-cilium.js';
import { buildAllowlistCsv } from './render-csv.js';
import { buildNetworkPolicy } from './render-k8s.js';
import { buildNftables, type NftablesOptions } from './render-nftables.js';
import type { K8sOptions } from './k8s-common.js';
import type { ExportWarning } from './rule-common.js';

export const ALLOWLIST_FORMATS = ['nftables', 'k8s', 'cilium', 'aws', 'csv'] as const;
export type AllowlistFormat = (typeof ALLOWLIST_FORMATS)[number];

/** Every renderer's options in one object; each renderer reads the fields it knows. */
export type AllowlistOptions = NftablesOptions & K8sOptions & AwsOptions;

export interface RenderedAllowlist {
  text: string;
  contentType: string;
  extension: string;
  warnings: ExportWarning[];
}

export function renderAllowlist(format: AllowlistFormat, rules: readonly AllowRule[], o: AllowlistOptions = {}): RenderedAllowlist {
  switch (format) {
    case 'nftables':
      return { ...buildNftables(rules, o), contentType: 'text/plain; charset=utf-8', extension: 'nft' };
    case 'k8s':
      return { ...buildNetworkPolicy(rules, o), contentType: 'application/yaml', extension: 'yaml' };
    case 'cilium':
      return { ...buildCilium(rules, o), contentType: 'application/yaml', extension: 'yaml' };
    case 'aws':
      return { ...buildAws(rules, o), contentType: 'application/json', extension: 'json' };
    case 'csv':
      return { ...buildAllowlistCsv(rules, o), contentType: 'text/csv; charset=utf-8', extension: 'csv' };
    default: {
      const never: never = format;
      throw new Error(`unknown allow-list format "${String(never)}"`);
    }
  }
}
