// The server's own description of its API (GET /openapi.json, generated from
// the code that parses and writes requests). Screens take the values they
// offer, such as order states, from its enums instead of keeping copies that
// drift from what the server accepts.

let pending = null;

/**
 * The document, fetched once and kept for the page's life. A failed fetch is
 * not kept: the next call tries again.
 */
export function apiDocument(api) {
  if (!pending) {
    pending = api.get('/openapi.json');
    pending.catch(() => {
      pending = null;
    });
  }
  return pending;
}

function resolve(doc, schema) {
  const ref = schema?.$ref;
  const prefix = '#/components/schemas/';
  return typeof ref === 'string' && ref.startsWith(prefix) ? doc.components?.schemas?.[ref.slice(prefix.length)] : schema;
}

/**
 * The string values of a schema's enum, through `$ref` and `oneOf`/`anyOf`
 * (an optional value is published as one of it or null); [] when none.
 */
export function enumValues(doc, schema) {
  const s = resolve(doc, schema);
  if (!s) return [];
  if (Array.isArray(s.enum)) return s.enum.filter((v) => typeof v === 'string');
  const values = [...(s.oneOf ?? []), ...(s.anyOf ?? [])].flatMap((item) => enumValues(doc, item));
  return [...new Set(values)];
}

/** The values a query parameter of `GET path` takes: enumValues of its schema. */
export function queryValues(doc, path, name) {
  const params = doc.paths?.[path]?.get?.parameters ?? [];
  const param = params.find((p) => p.in === 'query' && p.name === name);
  return enumValues(doc, param?.schema);
}
