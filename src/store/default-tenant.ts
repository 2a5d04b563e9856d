/** The tenant that migration 001 creates; requests act for it until API keys say otherwise. */
export const DEFAULT_TENANT_ID = '00000000-0000-0000-0000-000000000001';
