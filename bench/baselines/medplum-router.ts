/**
 * Baseline: the peer @medplum/fhir-router with its in-memory repository (no database, no
 * validation beyond what the router does) behind the same minimal node:http adapter.
 */
import { getStatus } from '@medplum/core';
import { FhirRouter, makeSimpleRequest, MemoryRepository, type HttpMethod } from '@medplum/fhir-router';
import { serveBaseline } from './minimal-http';

const router = new FhirRouter();
const repo = new MemoryRepository();

serveBaseline(async (method, url, body) => {
  const request = makeSimpleRequest(method as HttpMethod, url.slice(1), body ? JSON.parse(body) : undefined);
  const [outcome, resource] = await router.handleRequest(request, repo);
  return { status: getStatus(outcome), json: JSON.stringify(resource ?? outcome) };
});
