import type { CollectionMethod } from '../gateway';

/** The sandbox's lab tests; `junction-panels.json` maps our panel codes to these ids. */
export const SANDBOX_LAB_TEST_IDS = {
  hashimotos: '6f1b3c2e-8a4d-4e5f-9b7a-1c2d3e4f5a61',
  pcos: '7a2c4d3f-9b5e-4f60-8c8b-2d3e4f5a6b72',
  fertility: '8b3d5e4a-ac6f-4071-9d9c-3e4f5a6b7c83',
} as const;

/** The fields of `ClientFacingLabTest` the sandbox fills in. */
export interface SandboxLabTest {
  id: string;
  slug: string;
  name: string;
  sample_type: 'serum';
  method: CollectionMethod;
  price: number;
  is_active: boolean;
  status: 'active';
  fasting: boolean;
  lab: { id: number; slug: string; name: string; collection_methods: CollectionMethod[]; sample_types: string[] };
  markers: { id: number; name: string; slug: string; type: 'biomarker' }[];
}

const LAB = {
  id: 1,
  slug: 'labcorp',
  name: 'Labcorp',
  collection_methods: ['walk_in_test', 'at_home_phlebotomy'],
  sample_types: ['serum'],
} satisfies SandboxLabTest['lab'];

function labTest(id: string, slug: string, name: string, markers: string[]): SandboxLabTest {
  return {
    id,
    slug,
    name,
    sample_type: 'serum',
    method: 'walk_in_test',
    price: 0,
    is_active: true,
    status: 'active',
    fasting: false,
    lab: LAB,
    markers: markers.map((marker, i) => ({ id: i + 1, name: marker, slug: marker.toLowerCase().replace(/[^a-z0-9]+/g, '-'), type: 'biomarker' })),
  };
}

export const SANDBOX_LAB_TESTS: readonly SandboxLabTest[] = [
  labTest(SANDBOX_LAB_TEST_IDS.hashimotos, 'hashimotos-panel', "Hashimoto's Panel", ['TSH', 'Free T4', 'Thyroid Peroxidase Antibodies']),
  labTest(SANDBOX_LAB_TEST_IDS.pcos, 'pcos-panel', 'PCOS Panel', ['Total Testosterone', 'DHEA-S', 'LH', 'FSH', 'SHBG']),
  labTest(SANDBOX_LAB_TEST_IDS.fertility, 'fertility-panel', 'Fertility Panel', ['AMH', 'FSH', 'LH', 'Estradiol']),
];

export function sandboxLabTest(id: string): SandboxLabTest | undefined {
  return SANDBOX_LAB_TESTS.find((test) => test.id === id);
}
