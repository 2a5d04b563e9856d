/**
 * The R4 Patient CompartmentDefinition (https://hl7.org/fhir/R4/compartmentdefinition-patient.html)
 * for the types this server stores: a Patient is in its own compartment, a ServiceRequest in
 * the compartment of the patient its `subject` or `performer` names. Practitioner,
 * PractitionerRole, Organization and Location are in no patient's compartment.
 */
export const PATIENT_COMPARTMENT: Readonly<Record<string, 'self' | readonly string[]>> = {
  Patient: 'self',
  ServiceRequest: ['subject', 'performer'],
};

export const inPatientCompartment = (type: string): boolean => Object.hasOwn(PATIENT_COMPARTMENT, type);
