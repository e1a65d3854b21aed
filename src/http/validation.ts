/**
 * How request schemas are enforced by the JSON APIs (REST v1 and admin). Fastify's Ajv
 * defaults to `removeAdditional: true`, which deletes a key that `additionalProperties: false`
 * does not allow and lets the request through: a typo (`settings.throughputp`) succeeded and
 * changed nothing. With `removeAdditional: false` Ajv reports the key instead, and
 * `validationDetail` names it in the 400. The Jasmin-compatible app keeps Fastify's defaults:
 * it has no closed schemas, and its clients send whatever fields Jasmin accepts.
 */
import type { FastifyError, FastifyServerOptions } from 'fastify';

/** The `ajv` option of every JSON API app: unknown keys are errors, not silently stripped. */
export const jsonApiAjv = {
  customOptions: { removeAdditional: false },
} as const satisfies FastifyServerOptions['ajv'];

type ValidationError = NonNullable<FastifyError['validation']>[number];

/**
 * The problem detail of a schema violation, naming the field. Ajv's own message for an
 * unknown key ("must NOT have additional properties") does not say which one, so that
 * case names the key's full path; the others keep Fastify's "<where>/<path> <message>".
 */
export function validationDetail(
  err: Pick<FastifyError, 'message' | 'validation' | 'validationContext'>,
): string {
  const first: ValidationError | undefined = err.validation?.[0];
  const extra =
    first?.keyword === 'additionalProperties'
      ? (first.params as { additionalProperty?: unknown }).additionalProperty
      : undefined;
  if (typeof extra !== 'string') return err.message;
  return `${err.validationContext ?? 'request'}${first!.instancePath}/${extra}: unknown property (not in the schema; check its spelling)`;
}
