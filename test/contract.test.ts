/**
 * The official docs' JSON examples (../shared/primero-doc-examples) against the SDK's zod schemas, for every
 * operation of schemas/primero.openapi.yaml. The examples are partly stale (primero-api.md section 10), so
 * each one is listed below with the schema it must satisfy, and every stale one with the reason and the
 * exact issues it must fail with: an example that starts to pass, fails differently, or appears without
 * being listed fails this file, so the list cannot go stale silently. Shapes the server renders with a
 * fixed key set are parsed strictly (unknown keys refused); records stay loose, since their keys are the
 * deployment's form fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CaseRecord } from '../src/models/case.js';
import { DeletedRecord, PageMetadataSchema, many, single } from '../src/models/common.js';
import { FormSection } from '../src/models/form.js';
import { IncidentRecord } from '../src/models/incident.js';
import { Location } from '../src/models/location.js';
import { Lookup } from '../src/models/lookup.js';
import { Referral, ReferralInput, ReferralRecipient } from '../src/models/referral.js';
import { TokenInfo } from '../src/models/token.js';
import { User } from '../src/models/user.js';
import {
  BulkReferralInput,
  CaseCreateBody,
  CaseUpdateBody,
  DeviseError,
  EmptyObject,
  ErrorEntry,
  ErrorEnvelope,
  LoginRequest,
  RevokedReferral,
  UserPageMetadata,
  createBody,
  page,
} from './support/contract-schemas.js';

// The examples are Primero's, kept beside the repository (../shared); PRIMERO_DOC_EXAMPLES points elsewhere.
const EXAMPLES = process.env.PRIMERO_DOC_EXAMPLES ?? fileURLToPath(new URL('../../shared/primero-doc-examples', import.meta.url));
const SPEC = fileURLToPath(new URL('../schemas/primero.openapi.yaml', import.meta.url));

/** Why an example fails, and the issues (`path: code`) it must fail with, no more and no fewer. */
interface Stale {
  reason: string;
  issues: string[];
}
/** A JSON example: the schema it is checked against, and why it fails if it is stale. */
interface JsonExample {
  schema: z.ZodType;
  stale?: Stale;
}
/** A block the docs present as JSON that does not parse; `body` checks the JSON part when there is one. */
interface NotJsonExample {
  notJson: string;
  body?: { schema: z.ZodType; stale: Stale };
}
type Expectation = JsonExample | NotJsonExample;

const metadata = PageMetadataSchema.strict();
const BulkReferralResponse = z.strictObject({ data: z.array(Referral), errors: z.array(ErrorEntry).optional() });

// ----- the reasons, from primero-api.md ---------------------------------------------------------------------

const CODE_NOT_STATUS: Stale = {
  reason: 'error entries carry `status`, not the docs\' `code` (3.1; section 10 "Error object key")',
  issues: ['errors.0.status: invalid_type', 'errors.0: unrecognized_keys(code)'],
};
/** A record without `enabled` and `last_updated_at`, which every record object has (2.5, 2.7). */
function recordsWithoutCoreFields(reason: string, ...paths: string[]): Stale {
  return { reason, issues: paths.flatMap((p) => [`${p}.enabled: invalid_type`, `${p}.last_updated_at: invalid_type`]) };
}
/** Referrals as the docs show them: `record_type: "Child"` and no `status` (5.1; section 10). */
function docsReferrals(...paths: string[]): Stale {
  return {
    reason: 'referrals have `record_type: "case"` (the docs show the model name `Child`) and always a `status` (5.1; section 10 "Transition record_type")',
    issues: paths.flatMap((p) => [`${p}.status: invalid_value`, `${p}.record_type: invalid_value`]),
  };
}
const LOCATIONS_WITHOUT_METADATA: Stale = {
  reason: 'the locations index is paginated (default per 100) and answers with `metadata` (2.2, `locations/index.json.jbuilder`); the example has none',
  issues: ['metadata: invalid_type'],
};

// ----- every example of an operation in the spec ------------------------------------------------------------

const EXPECTED: Record<string, Expectation> = {
  // POST/DELETE /tokens (primero-api.md 1.2-1.4)
  'tokens__post__request.json': { schema: LoginRequest },
  'tokens__post__response_200.txt': {
    notJson: 'an HTTP status line and an `Authorization: Bearer` header before the JSON body',
    body: {
      schema: TokenInfo.strict(),
      stale: {
        reason: 'the server sends no JWT (devise-jwt was removed) and answers `{id, user_name, group_permission}`, not `{user_name}` (1.1, 1.2; section 10 "Login response")',
        issues: ['id: invalid_type', 'group_permission: invalid_type'],
      },
    },
  },
  'tokens__post__response_401.json': { schema: DeviseError },
  'tokens__delete__response_200.json': { schema: EmptyObject },

  // /cases (4.1-4.5)
  'cases__get__response_200.json': {
    schema: page(CaseRecord, metadata),
    stale: recordsWithoutCoreFields('every record object has `enabled` and `last_updated_at` (2.5, 2.7)', 'data.0', 'data.1'),
  },
  'cases__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases__post__request.json': { schema: CaseCreateBody },
  'cases__post__response_200.json': {
    schema: single(CaseRecord),
    stale: {
      reason: 'a create answers with `id`, `enabled` and `last_updated_at` besides the fields it set (4.3)',
      issues: ['data.id: invalid_type', 'data.enabled: invalid_type', 'data.last_updated_at: invalid_type'],
    },
  },
  'cases__post__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases__post__response_404.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases__post__response_409.json': {
    schema: ErrorEnvelope,
    stale: { ...CODE_NOT_STATUS, reason: `${CODE_NOT_STATUS.reason}; the message is also "Conflict: A record with this id already exists" (3.2)` },
  },
  'cases__post__response_422.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__get__response_200.json': {
    schema: single(CaseRecord),
    stale: recordsWithoutCoreFields('every record object has `enabled` and `last_updated_at` (2.5, 2.7)', 'data'),
  },
  'cases_id__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__get__response_404.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__patch__request.json': { schema: CaseUpdateBody },
  'cases_id__patch__response_200.json': {
    schema: single(CaseRecord),
    stale: {
      reason: 'an update answers with `id`, `enabled` and `last_updated_at` besides the changed fields (4.4)',
      issues: ['data.id: invalid_type', 'data.enabled: invalid_type', 'data.last_updated_at: invalid_type'],
    },
  },
  'cases_id__patch__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__patch__response_404.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__patch__response_422.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__delete__response_200.json': { schema: single(DeletedRecord.strict()) },
  'cases_id__delete__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id__delete__response_404.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id_incidents__get__response_200.json': {
    schema: many(IncidentRecord),
    stale: {
      reason: 'every record object has `last_updated_at`, injected by RecordDataService (2.7)',
      issues: ['data.0.last_updated_at: invalid_type', 'data.1.last_updated_at: invalid_type'],
    },
  },
  'cases_id_incidents__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },

  // referrals (5.2-5.6)
  'cases_id_referrals__get__response_200.json': { schema: many(Referral), stale: docsReferrals('data.0') },
  'cases_id_referrals__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'cases_id_referrals__post__request.json': { schema: createBody(ReferralInput) },
  'cases_id_referrals__post__response_200.json': { schema: single(Referral), stale: docsReferrals('data') },
  'cases_id_referrals__post__response_403.json': { schema: ErrorEnvelope },
  'cases_id_referrals_referral_id__delete__response_200.json': {
    schema: single(RevokedReferral),
    stale: {
      reason: 'a revoke ends `revoked`, not the docs\' `done` (5.6; section 10 "DELETE referral result"), and `record_type` is `case`, not `Child`',
      issues: ['data.status: invalid_value', 'data.record_type: invalid_value'],
    },
  },
  'cases_id_referrals_referral_id__delete__response_403.json': { schema: ErrorEnvelope },
  'cases_referrals__post__request.json': { schema: createBody(BulkReferralInput) },
  'cases_referrals__post__response_200.json': { schema: BulkReferralResponse, stale: docsReferrals('data.0', 'data.1') },
  'cases_referrals__post__response_403.json': { schema: ErrorEnvelope },

  // users (5.3, 8)
  'users_refer-to__get__response_200.json': {
    schema: many(ReferralRecipient.strict()),
    stale: {
      reason: 'refer-to renders `{id, user_name, code, position, location, agency, disabled, services}`, no `full_name` (5.3; section 10 "refer-to")',
      issues: ['data.0: unrecognized_keys(full_name)'],
    },
  },
  'users_refer-to__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'users__get__response_200.json': {
    schema: page(User, UserPageMetadata.strict()),
    stale: { reason: 'the users index answers `data` as an array, not an object (8; section 10 "Users index")', issues: ['data: invalid_type'] },
  },
  'users__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },

  // reference data (8)
  'lookups__get__response_200.txt': { notJson: 'a trailing comma and a missing comma inside `display_text`' },
  'lookups__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'lookups_id__get__response_200.json': { schema: single(Lookup) },
  'lookups_id__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'lookups_id__get__response_404.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'forms__get__response_200.json': { schema: many(FormSection) },
  'forms__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'locations__get__response_200.json': { schema: page(Location, metadata), stale: LOCATIONS_WITHOUT_METADATA },
  'locations__get__response_200_2.json': { schema: page(Location, metadata), stale: LOCATIONS_WITHOUT_METADATA },
  'locations__get__response_403.json': { schema: ErrorEnvelope, stale: CODE_NOT_STATUS },
  'primero__get__response_200.txt': { notJson: 'placeholders (`true|false`, `"full"|"limited"`, `...`) and a trailing comma' },
};

// ----- reading the folder -----------------------------------------------------------------------------------

interface IndexRow {
  file: string;
  operation: string;
  note: string;
}

/** `index.tsv`: file, endpoint, method, kind, status, source_doc, source_line, fence_lang, note. */
function readIndex(): IndexRow[] {
  const [, ...rows] = readFileSync(join(EXAMPLES, 'index.tsv'), 'utf8').trimEnd().split('\n');
  return rows.map((row) => {
    const [file = '', endpoint = '', method = '', , , , , , note = ''] = row.split('\t');
    return { file, operation: `${method} ${template(endpoint.replace(/^\/api\/v2/, ''))}`, note };
  });
}

/** `/cases/:recordId/referrals`, `/cases/53fb…/x` and `/cases/{id}/referrals` all become `/cases/{}/referrals`. */
function template(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^(:\w+|\{\w+\}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(segment) ? '{}' : segment))
    .join('/');
}

/** The operations of the spec, e.g. `GET /cases/{}`, read from its `paths` (two-space path keys, four-space methods). */
function specOperations(): Set<string> {
  const operations = new Set<string>();
  let path: string | undefined;
  for (const line of readFileSync(SPEC, 'utf8').split('\n')) {
    if (/^\S/.test(line)) path = undefined;
    const pathKey = /^ {2}(\/\S*):\s*$/.exec(line);
    if (pathKey) path = pathKey[1];
    const method = /^ {4}(get|put|post|patch|delete):\s*$/.exec(line);
    if (path && method?.[1]) operations.add(`${method[1].toUpperCase()} ${template(path)}`);
  }
  return operations;
}

/** zod's issues as `path: code`, with the refused keys of `unrecognized_keys`. */
function issuesOf(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    const at = issue.path.map(String).join('.');
    const code = issue.code === 'unrecognized_keys' ? `unrecognized_keys(${issue.keys.join(',')})` : issue.code;
    return `${at}: ${code}`;
  });
}

function read(file: string): string {
  return readFileSync(join(EXAMPLES, file), 'utf8');
}

function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

const index = readIndex();
const operations = specOperations();
const inScope = index.filter((row) => operations.has(row.operation));

// ----- tests ------------------------------------------------------------------------------------------------

describe('doc examples against the zod schemas (primero-api.md section 10 lists what is stale)', () => {
  test('the spec lists the operations the SDK covers', () => {
    expect([...operations].sort()).toEqual(
      [
        'POST /tokens',
        'DELETE /tokens',
        'GET /cases',
        'POST /cases',
        'GET /cases/{}',
        'PATCH /cases/{}',
        'DELETE /cases/{}',
        'GET /cases/{}/incidents',
        'POST /cases/{}/sync',
        'GET /cases/{}/referrals',
        'POST /cases/{}/referrals',
        'PATCH /cases/{}/referrals/{}',
        'DELETE /cases/{}/referrals/{}',
        'POST /cases/referrals',
        'GET /users/refer-to',
        'GET /users',
        'GET /incidents',
        'POST /incidents',
        'GET /incidents/{}',
        'PATCH /incidents/{}',
        'DELETE /incidents/{}',
        'GET /lookups',
        'GET /lookups/{}',
        'GET /forms',
        'GET /locations',
        'GET /primero',
      ].sort(),
    );
  });

  test('every example of those operations is listed here, and nothing else', () => {
    expect(inScope.map((row) => row.file).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(Object.entries(EXPECTED).filter((entry): entry is [string, JsonExample] => 'schema' in entry[1]))('%s', (file, expected) => {
    if (expected.stale) {
      const stale = expected.stale;
      test(`is stale: ${stale.reason}`, () => {
        expect(issuesOf(expected.schema, parseJson(read(file))).sort()).toEqual([...stale.issues].sort());
      });
    } else {
      test('parses', () => {
        expect(issuesOf(expected.schema, parseJson(read(file)))).toEqual([]);
      });
    }
  });

  describe.each(Object.entries(EXPECTED).filter((entry): entry is [string, NotJsonExample] => 'notJson' in entry[1]))('%s', (file, expected) => {
    test(`is not JSON: ${expected.notJson}`, () => {
      expect(() => parseJson(read(file))).toThrow(SyntaxError);
      expect(index.find((row) => row.file === file)?.note).toMatch(/^invalid JSON/);
    });
    if (expected.body) {
      const body = expected.body;
      test(`its JSON body is stale: ${body.stale.reason}`, () => {
        const text = read(file);
        const json = parseJson(text.slice(text.indexOf('{')));
        expect(issuesOf(body.schema, json).sort()).toEqual([...body.stale.issues].sort());
      });
    }
  });
});

describe('the strict schemas refuse what the server never sends', () => {
  // Current-server bodies (primero-api.md sections 1.2, 3.1 and 5.1): each passes, and fails once altered.
  const referral = {
    id: '749e9c6e-60db-45ec-8f5a-69da7c223a79',
    type: 'Referral',
    status: 'revoked',
    record_id: '437189fc-cd1c-46ee-8d56-2891fc73605f',
    record_type: 'case',
    transitioned_to: 'primero_cp',
    transitioned_by: 'primero',
    record_access_denied: false,
    user_can_accept_or_reject: false,
  };

  test('a revoke answer as the server renders it parses; `done` does not', () => {
    expect(issuesOf(single(RevokedReferral), { data: referral })).toEqual([]);
    expect(issuesOf(single(RevokedReferral), { data: { ...referral, status: 'done' } })).toEqual(['data.status: invalid_value']);
    expect(issuesOf(single(Referral), { data: { ...referral, status: 'done' } })).toEqual([]);
  });

  test('an error envelope as ErrorService renders it parses, with a string or a list in detail and message', () => {
    const entry = { status: 422, resource: '/api/v2/cases', detail: ['/age'], message: 'Invalid Record JSON' };
    expect(issuesOf(ErrorEnvelope, { errors: [entry, { ...entry, detail: 'transitioned_to', message: ['transition.errors.consent'] }] })).toEqual([]);
    expect(issuesOf(ErrorEnvelope, { errors: [{ ...entry, detail: 42 }] })).toEqual(['errors.0.detail: invalid_union']);
  });

  test('the sign-in answer of a current server parses; in identity-provider mode with its token', () => {
    const info = { id: 1, user_name: 'primero', group_permission: 'all' };
    expect(issuesOf(TokenInfo.strict(), info)).toEqual([]);
    expect(issuesOf(TokenInfo.strict(), { ...info, token: 'eyJ...' })).toEqual([]);
    expect(issuesOf(TokenInfo.strict(), { ...info, jwt: 'x' })).toEqual([': unrecognized_keys(jwt)']);
  });
});
