import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { SUPPORTED_TYPES, isSupportedType, loadR4Definitions } from './definitions';
import { checkExtensions } from './extension-rules';
import { checkInheritedNames } from './inherited-names';
import { checkElementShapes } from './element-shapes';
import { checkResourceIds } from './resource-ids';
import { medplumBaseIssues, validateAgainst } from './medplum-validation';
import { isProvenValidBase } from './proven-valid';
import { provenConformant } from './proven-conformant';
import { badRequest, fail, outcomeWithIssues } from '../../problems/outcomes';
import { checkBindings, checkReferenceTargets, explainSlices, isObject, issue } from './profile-rules';
import type { ProfileRegistry } from './profiles';
import { checkRequiredBindings, planRequiredBindings } from './required-bindings';
import { stripVersion } from './terminology';

export interface Validator {
  /**
   * Throws our OperationOutcomeError: 400 when this is not a resource of a type we store,
   * 422 with every issue (each with a FHIRPath `expression`) when it is not valid R4 or does
   * not conform to a profile it claims in `meta.profile`. Returns the warnings: claims of
   * profiles the server does not know, which are kept but cannot be checked.
   */
  validate(resource: Resource): OperationOutcomeIssue[];
}

export interface ValidatorOptions {
  /** `warn` (default, the FHIR rule: a claim that cannot be checked is kept) or `reject` (422). */
  unknownProfiles?: 'warn' | 'reject';
}

/** The one validation pipeline: shape, base R4 (with its required bindings), then our extensions and claimed profiles. */
export function createValidator(registry: ProfileRegistry, options: ValidatorOptions = {}): Validator {
  loadR4Definitions();
  planRequiredBindings(SUPPORTED_TYPES);
  const unknownSeverity = options.unknownProfiles === 'reject' ? 'error' : 'warning';
  return {
    validate(resource: Resource): OperationOutcomeIssue[] {
      if (!isObject(resource)) fail(badRequest('Expected a FHIR resource: a JSON object with a resourceType', 'resourceType'));
      if (!isSupportedType(resource.resourceType)) {
        fail(badRequest(`Unsupported resourceType ${JSON.stringify(resource.resourceType)}; expected one of ${SUPPORTED_TYPES.join(', ')}`, 'resourceType'));
      }
      // A resource the walk of its members proves valid has no element the two checks below
      // report (validation-proven-valid.test.ts): most writes skip their walks and medplum's.
      const proven = isProvenValidBase(resource as unknown as Record<string, unknown>);
      if (!proven) {
        // Before medplum, which looks element names up in plain objects (and would call `valueOf`)
        // and throws on a primitive's `_` twin that is not an object.
        failOnErrors(checkInheritedNames(resource, resource.resourceType));
        failOnErrors(checkElementShapes(resource));
      }
      // Profiles are only checked on a valid base resource: their issues would repeat the base ones.
      const baseIssues = proven ? [] : medplumBaseIssues(resource);
      failOnErrors([...checkResourceIds(resource), ...baseIssues, ...checkRequiredBindings(resource as Record<string, unknown>)]);
      const profileIssues = [...checkExtensions(resource as Record<string, unknown>, registry), ...checkProfiles(resource, registry, unknownSeverity)];
      failOnErrors(profileIssues);
      return profileIssues;
    },
  };
}

function checkProfiles(resource: Resource, registry: ProfileRegistry, unknownSeverity: 'error' | 'warning'): OperationOutcomeIssue[] {
  const type = resource.resourceType;
  return (resource.meta?.profile ?? []).flatMap((url, i) => {
    if (stripVersion(url) === `http://hl7.org/fhir/StructureDefinition/${type}`) return [];
    const at = `${type}.meta.profile[${i}]`;
    const sd = registry.structureDefinition(url);
    if (!sd) {
      const text = unknownSeverity === 'error' ? `Unknown profile ${url}` : `Profile ${url} is not known to this server: the claim is kept but not checked`;
      return [{ ...issue(at, text, 'not-supported'), severity: unknownSeverity }];
    }
    if (sd.kind !== 'resource') return [issue(at, `${url} is not a resource profile`)];
    if (sd.type !== type) return [issue(at, `Profile ${url} is for ${sd.type}, not ${type}`)];
    return checkProfile(resource, sd, registry);
  });
}

function checkProfile(resource: Resource, sd: StructureDefinition, registry: ProfileRegistry): OperationOutcomeIssue[] {
  const structural = provenConformant(sd, resource as unknown as Record<string, unknown>) ? [] : validateAgainst(sd, resource);
  return [
    ...explainSlices(
      sd,
      structural.filter((i) => i.severity === 'error'),
    ),
    ...checkBindings(sd, resource, resource.resourceType, registry),
    ...checkReferenceTargets(sd, resource, (url) => registry.structureDefinition(url)?.type),
  ];
}

function failOnErrors(issues: OperationOutcomeIssue[]): void {
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) fail(outcomeWithIssues('unprocessable', errors));
}
