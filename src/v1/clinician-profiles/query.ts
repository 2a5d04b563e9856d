import type { ClinicianFilters } from './directory';
import { invalidField } from '../../problems/problem';
import { compileCheck } from '../schema';
import { V1_SCHEMAS } from '../schemas';

interface ProfileQuery {
  limit: number;
  offset: number;
  is_active?: boolean;
  is_bookable_online?: boolean;
  location_id?: string;
  search?: string;
}

export interface ProfileListRequest {
  limit: number;
  offset: number;
  filters: ClinicianFilters;
}

const MAX_SEARCH_WORDS = 10;
const checkQuery = compileCheck<ProfileQuery>(V1_SCHEMAS['clinician-profiles.query'], 'invalid_parameter');
const PROPERTY_TYPES = Object.fromEntries(Object.entries(V1_SCHEMAS['clinician-profiles.query'].properties).map(([name, p]) => [name, p.type]));

/** The seed's query parameters, checked against their JSON Schema: 400 naming the parameter. */
export function parseProfileQuery(query: Record<string, unknown>): ProfileListRequest {
  const parsed = checkQuery(typedValues(query));
  if (!Number.isSafeInteger(parsed.offset)) invalid('offset', 'offset is too large');
  if (parsed.search?.includes('\u0000')) invalid('search', 'search must not contain a NUL character');
  const words = [...new Set((parsed.search ?? '').split(/\s+/).filter(Boolean))];
  if (words.length > MAX_SEARCH_WORDS) invalid('search', `search may have at most ${MAX_SEARCH_WORDS} words`);
  return {
    limit: parsed.limit,
    offset: parsed.offset,
    filters: {
      isActive: parsed.is_active,
      isBookableOnline: parsed.is_bookable_online,
      locationId: parsed.location_id,
      searchWords: words,
    },
  };
}

/**
 * Query strings are text: `"20"` and `"true"` become the integer and boolean the schema asks
 * for. Only these exact spellings convert, so `limit=abc` or `is_active=yes` still fail the schema.
 */
function typedValues(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, typedValue(PROPERTY_TYPES[name], value)]));
}

function typedValue(type: string | undefined, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (type === 'integer' && /^-?\d+$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

function invalid(field: string, message: string): never {
  throw invalidField(field, message, 'invalid_parameter');
}
