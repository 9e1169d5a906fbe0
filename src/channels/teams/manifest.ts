/**
 * The Teams app manifest: teams/manifest.json is a template whose `{{name}}` placeholders take the
 * bot's id, the app's id, the public host name and the version; the result is checked against the
 * manifest JSON schema of its version, as Microsoft publishes it (shipped in @microsoft/app-manifest).
 */
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/** The manifest version the template targets (teams/manifest.json's manifestVersion). */
export const MANIFEST_VERSION = '1.17';

export function manifestSchemaPath(version: string = MANIFEST_VERSION): string {
  return require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${version}/MicrosoftTeams.schema.json`);
}

/** What the template's placeholders stand for. */
export interface ManifestValues {
  /** The Teams app's id (a GUID). */
  appId: string;
  /** The bot's Microsoft App ID (a GUID). */
  botId: string;
  /** The host name the bot is reached at, without scheme or path. */
  domain: string;
  /** The app's version, x.y.z. */
  version: string;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/**
 * Fills `{{name}}` in every string of the parsed template (never in the JSON text, so a value cannot
 * break the JSON). Names it does not know are returned, and left as they are.
 */
export function fillManifest(template: unknown, values: ManifestValues): { manifest: unknown; unknownPlaceholders: string[] } {
  const known = values as unknown as Record<string, string>;
  const unknownPlaceholders = new Set<string>();
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        if (Object.prototype.hasOwnProperty.call(known, name)) return known[name] as string;
        unknownPlaceholders.add(name);
        return whole;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value)]));
    }
    return node;
  };
  return { manifest: fill(template), unknownPlaceholders: [...unknownPlaceholders] };
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(version: string): ValidateFunction {
  let validate = validators.get(version);
  if (!validate) {
    // The manifest schemas are draft-04; the same settings as Microsoft's own validator (@microsoft/app-manifest).
    const ajv = new Ajv({ allErrors: true, strictTypes: false });
    addFormats(ajv, ['uri', 'email', 'regex']);
    validate = ajv.compile(JSON.parse(fs.readFileSync(manifestSchemaPath(version), 'utf8')) as object);
    validators.set(version, validate);
  }
  return validate;
}

/** Problems of the manifest against the schema of its manifestVersion, each naming the field; [] when valid. */
export function validateManifest(manifest: unknown): string[] {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) return ['manifestVersion: missing or not like "1.17"'];
  let validate: ValidateFunction;
  try {
    validate = validatorFor(version);
  } catch {
    return [`manifestVersion: no schema for ${version} (this build checks ${MANIFEST_VERSION})`];
  }
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath === '' ? 'manifest' : e.instancePath.slice(1).replace(/\//g, '.');
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
}
