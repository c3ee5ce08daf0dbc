/**
 * JSON Schemas of request bodies, query strings and path parameters, and the
 * one place that turns a schema failure into the API's error answer:
 * { error: { code: 'BAD_REQUEST', message: '"name" is required', field } }
 * (or 404 for a path parameter that names nothing), as the pages and the
 * popup read it.
 */
import type { FastifySchemaValidationError } from 'fastify';
import { ApiError } from './api-error.js';

type Schema = Record<string, unknown>;

/** A string of at most `max` characters; required ones may not be empty. */
export const text = (max = 1024): Schema => ({ type: 'string', minLength: 1, maxLength: max });
/** An optional string: absent, null or empty mean "not given". */
export const optionalText = (max = 1024): Schema => ({ type: ['string', 'null'], maxLength: max });
export const oneOf = (values: readonly string[]): Schema => ({ type: 'string', enum: values });
export const flag: Schema = { type: ['boolean', 'null'] };

/** An object body with these properties, the `required` ones present; other properties are ignored. */
export function object(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, required };
}

/** A property of a JSON body (already shaped by the route's schema), or undefined. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** The minimum assurance level a relying party asks for. */
export const minLevel: Schema = { type: ['integer', 'null'], minimum: 0, maximum: 500 };

function fieldOf(error: FastifySchemaValidationError): string {
  if (error.keyword === 'required') return String((error.params as { missingProperty?: string }).missingProperty ?? '');
  return error.instancePath.split('/').filter(Boolean).join('.');
}

function describe(error: FastifySchemaValidationError, field: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
    case 'minLength':
      return `"${field}" is required`;
    case 'maxLength':
      return `"${field}" is too long`;
    case 'enum':
      return `"${field}" must be one of ${(params.allowedValues as string[]).join(', ')}`;
    case 'minimum':
    case 'maximum':
      return `"${field}" is out of range`;
    case 'type':
      return field ? `"${field}" must be ${String(params.type).includes('string') ? 'a string' : `of type ${String(params.type)}`}` : 'The request body must be a JSON object';
    default:
      return field ? `"${field}" is not valid` : 'The request is not valid';
  }
}

/** Fastify's schemaErrorFormatter: the first failure, in the API's own error shape. */
export function schemaError(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  if (!first) return new ApiError(400, 'BAD_REQUEST', 'The request is not valid');
  // A path that names no such thing is "not found", as a wrong address is.
  if (dataVar === 'params') return new ApiError(404, 'NOT_FOUND', 'Not found');
  const field = fieldOf(first);
  return new ApiError(400, 'BAD_REQUEST', describe(first, field), field ? { field } : {});
}
