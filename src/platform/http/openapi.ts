/** A readable summary of the OpenAPI document for the server-rendered /api/docs page. */

interface OpenApiDocument {
  info?: { title?: string; description?: string; version?: string };
  paths?: Record<string, Record<string, OpenApiOperation | undefined> | undefined>;
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string } | undefined>;
}

export interface ApiOperationSummary {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  needsToken: boolean;
  parameters: { name: string; in: string; required: boolean; description: string }[];
  hasBody: boolean;
  responses: { status: string; description: string }[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function openApiSummary(document: unknown): { title: string; description: string; operations: ApiOperationSummary[] } {
  const doc = document as OpenApiDocument;
  const operations: ApiOperationSummary[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op === undefined) continue;
      operations.push({
        id: `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, ''),
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        description: op.description ?? '',
        needsToken: !(Array.isArray(op.security) && op.security.length === 0),
        parameters: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? false,
          description: p.description ?? '',
        })),
        hasBody: op.requestBody !== undefined,
        responses: Object.entries(op.responses ?? {}).map(([status, r]) => ({ status, description: r?.description ?? '' })),
      });
    }
  }
  operations.sort((a, b) => a.path.localeCompare(b.path) || METHODS.indexOf(a.method.toLowerCase()) - METHODS.indexOf(b.method.toLowerCase()));
  return { title: doc.info?.title ?? 'API', description: doc.info?.description ?? '', operations };
}
