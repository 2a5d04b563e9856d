/**
 * Counts the times SearchParameters were indexed into medplum (the R4 set at start-up, ours and
 * those of FHIR packages as profiles load), so that what is derived from the whole set of a
 * resource type — the parameters it writes index rows for — is derived again after a change.
 */
let generation = 0;

export function searchParametersIndexed(): void {
  generation += 1;
}

export const searchParametersGeneration = (): number => generation;
