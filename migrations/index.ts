import type { Knex } from 'knex';
import * as m001 from './001_resources';
import * as m002 from './002_search_indexes';
import * as m003 from './003_rate_limit_counters';
import * as m004 from './004_clinician_profile_search';
import * as m005 from './005_api_keys';
import * as m006 from './006_audit_events';
import * as m007 from './007_resources_by_id';
import * as m008 from './008_lab_orders';
import * as m009 from './009_bounded_index_keys';
import * as m010 from './010_logical_references';
import * as m011 from './011_string_search_indexes';
import * as m012 from './012_date_search_bounds';
import * as m013 from './013_bulk_exports';
import * as m014 from './014_export_cursor_time';
import * as m015 from './015_value_statistics';
import * as m016 from './016_compact_audit_events';
import * as m017 from './017_covering_date_range';
import * as m018 from './018_covering_string_prefix';
import * as m019 from './019_covering_date_bounds';
import * as m020 from './020_exact_through_prefix_index';
import * as m021 from './021_write_refusal';
import * as m022 from './022_history_of_past_versions';
import * as m023 from './023_date_range_by_scope';
import * as m024 from './024_covering_references_by_resource';
import * as m025 from './025_sort_ties_by_resource';
import * as m026 from './026_resource_tables_without_tenant_keys';
import * as m027 from './027_created_order_of_listed_types';
import * as m028 from './028_audit_trail_without_tenant_key';
import * as m029 from './029_order_patient_references_once';
import * as m030 from './030_references_by_target';
import * as m031 from './031_stored_json_as_written';
import * as m032 from './032_created_order_of_practitioners';
import * as m033 from './033_directory_trigrams_of_practitioners';
import * as m034 from './034_directory_character_pairs';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Ordered list of migrations; imported (not globbed) so it works from src and from dist alike. */
export const MIGRATIONS: ReadonlyArray<[name: string, migration: Migration]> = [
  ['001_resources', m001],
  ['002_search_indexes', m002],
  ['003_rate_limit_counters', m003],
  ['004_clinician_profile_search', m004],
  ['005_api_keys', m005],
  ['006_audit_events', m006],
  ['007_resources_by_id', m007],
  ['008_lab_orders', m008],
  ['009_bounded_index_keys', m009],
  ['010_logical_references', m010],
  ['011_string_search_indexes', m011],
  ['012_date_search_bounds', m012],
  ['013_bulk_exports', m013],
  ['014_export_cursor_time', m014],
  ['015_value_statistics', m015],
  ['016_compact_audit_events', m016],
  ['017_covering_date_range', m017],
  ['018_covering_string_prefix', m018],
  ['019_covering_date_bounds', m019],
  ['020_exact_through_prefix_index', m020],
  ['021_write_refusal', m021],
  ['022_history_of_past_versions', m022],
  ['023_date_range_by_scope', m023],
  ['024_covering_references_by_resource', m024],
  ['025_sort_ties_by_resource', m025],
  ['026_resource_tables_without_tenant_keys', m026],
  ['027_created_order_of_listed_types', m027],
  ['028_audit_trail_without_tenant_key', m028],
  ['029_order_patient_references_once', m029],
  ['030_references_by_target', m030],
  ['031_stored_json_as_written', m031],
  ['032_created_order_of_practitioners', m032],
  ['033_directory_trigrams_of_practitioners', m033],
  ['034_directory_character_pairs', m034],
];
