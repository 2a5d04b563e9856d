/** The word lists the generated population draws from (US-shaped, as Synthea's Massachusetts default). */

export const SURNAMES = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson ' +
  'Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis ' +
  'Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera ' +
  'Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart ' +
  'Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim ' +
  'Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo ' +
  'Sanders Patel Myers Long Ross Foster Jimenez Kuhn Schmitt Okafor Larsen Haddad Moreau Tanaka Kowalski ' +
  "Ferreira Brennan O'Connor McCarthy Sullivan Fitzgerald Doherty Walsh Byrne Donovan Quinn Gallagher Rossi " +
  'Russo Esposito Romano Costa Silva Santos Pereira Oliveira Souza Chen Wang Li Zhang Liu Huang Yamamoto Sato ' +
  'Park Choi Cohen Levy Friedman Shapiro Goldberg Novak Horvat Nowak Wiśniewski Müller'
).split(' ');

export const FEMALE_GIVEN = (
  'Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret ' +
  'Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura ' +
  'Cynthia Amy Kathleen Angela Shirley Emma Olivia Ava Sophia Isabella Mia Zoe Maya Lena Rosa Ana Lucía Mei Aiko ' +
  'Fatima Amara'
).split(' ');

export const MALE_GIVEN = (
  'James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony Mark ' +
  'Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan Jacob ' +
  'Gary Nicholas Eric Jonathan Liam Noah Ethan Lucas Mateo Omar Ivan Theo Hiroshi Wei Kwame Diego Rafael Arjun ' +
  'Sean'
).split(' ');

/** Massachusetts towns with a postal code and a position. */
export const TOWNS = [
  { city: 'Boston', postalCode: '02118', latitude: 42.3389, longitude: -71.0703 },
  { city: 'Worcester', postalCode: '01605', latitude: 42.2934, longitude: -71.7841 },
  { city: 'Springfield', postalCode: '01109', latitude: 42.1185, longitude: -72.5487 },
  { city: 'Lowell', postalCode: '01852', latitude: 42.6334, longitude: -71.3162 },
  { city: 'Cambridge', postalCode: '02139', latitude: 42.3647, longitude: -71.1042 },
  { city: 'New Bedford', postalCode: '02740', latitude: 41.6362, longitude: -70.9342 },
  { city: 'Brockton', postalCode: '02301', latitude: 42.0834, longitude: -71.0184 },
  { city: 'Quincy', postalCode: '02169', latitude: 42.2529, longitude: -71.0023 },
  { city: 'Lynn', postalCode: '01902', latitude: 42.4668, longitude: -70.9495 },
  { city: 'Fall River', postalCode: '02720', latitude: 41.7015, longitude: -71.155 },
  { city: 'Newton', postalCode: '02458', latitude: 42.337, longitude: -71.2092 },
  { city: 'Lawrence', postalCode: '01840', latitude: 42.707, longitude: -71.1631 },
  { city: 'Somerville', postalCode: '02143', latitude: 42.3876, longitude: -71.0995 },
  { city: 'Framingham', postalCode: '01702', latitude: 42.2793, longitude: -71.4162 },
  { city: 'Haverhill', postalCode: '01830', latitude: 42.7762, longitude: -71.0773 },
  { city: 'Waltham', postalCode: '02453', latitude: 42.3765, longitude: -71.2356 },
  { city: 'Malden', postalCode: '02148', latitude: 42.4251, longitude: -71.0662 },
  { city: 'Pittsfield', postalCode: '01201', latitude: 42.4501, longitude: -73.2454 },
  { city: 'Salem', postalCode: '01970', latitude: 42.5195, longitude: -70.8967 },
  { city: 'Plymouth', postalCode: '02360', latitude: 41.9584, longitude: -70.6673 },
];

export const STREETS = (
  'Main Street,Washington Street,Elm Street,Maple Avenue,Oak Street,Pleasant Street,Park Avenue,Highland Avenue,' +
  'Summer Street,School Street,Center Street,Chestnut Street,Union Street,Water Street,Church Street,' +
  'Prospect Street,Walnut Street,Cedar Street,Spring Street,Beacon Street'
).split(',');

/** LOINC laboratory tests. None is one of our lab panels, so no order goes to Junction (mappings/lab-orders.ts `isLabOrder`). */
export const LAB_TESTS = [
  { code: '24323-8', display: 'Comprehensive metabolic 2000 panel - Serum or Plasma' },
  { code: '58410-2', display: 'CBC panel - Blood by Automated count' },
  { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
  { code: '57698-3', display: 'Lipid panel with direct LDL - Serum or Plasma' },
  { code: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma' },
  { code: '24356-8', display: 'Urinalysis complete panel - Urine' },
  { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma' },
  { code: '1558-6', display: 'Fasting glucose [Mass/volume] in Serum or Plasma' },
  { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma' },
  { code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
  { code: '1742-6', display: 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma' },
  { code: '2951-2', display: 'Sodium [Moles/volume] in Serum or Plasma' },
];

/** US Core race (OMB) categories, weighted roughly as Massachusetts. */
export const RACES = [
  ...Array<{ code: string; display: string }>(7).fill({ code: '2106-3', display: 'White' }),
  { code: '2054-5', display: 'Black or African American' },
  { code: '2028-9', display: 'Asian' },
  { code: '2131-1', display: 'Other Race' },
];
