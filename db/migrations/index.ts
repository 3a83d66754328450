import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_core';
import * as m002 from './002_reader';
import * as m003 from './003_realtime';
import * as m004 from './004_moderation';
import * as m005 from './005_polls';
import * as m006 from './006_privacy';
import * as m007 from './007_imports';
import * as m010 from './010_thread_list';
import * as m011 from './011_page_cache';
import * as m012 from './012_listed_placeholders';
import * as m013 from './013_duplicate_check';
import * as m014 from './014_strict_websites';
import * as m015 from './015_reaction_networks';
import * as m016 from './016_member_password_links';
import * as m024i from './024_sso_identities';
import * as m024k from './024_sso_keys';
import * as m024r from './024_sso_replay';
import * as m025 from './025_sso_claims';
import * as m030 from './030_outbox';
import * as m031 from './031_mail';
import * as m032 from './032_moderator_mail';
import * as m033 from './033_outbox_live_keys';
import * as m040 from './040_webhooks';
import * as m041 from './041_webhook_alerts';
import * as m042 from './042_site_webhook_endpoints';
import * as m043 from './043_poll_closing_rows';
import * as m050 from './050_abuse';
import * as m051 from './051_slow_mode';
import * as m052 from './052_proof_of_work';
import * as m060 from './060_site_queue_version';
import * as m070 from './070_picks_qa';
import * as m080 from './080_thread_schedules';
import * as m081 from './081_thread_presets';
import * as m100 from './100_risk_context';
import * as m101 from './101_abuse_regressions';
import * as m102 from './102_outbox_claim_paths';

/**
 * A static list rather than a folder scan, so the same migrations run from TypeScript sources, in
 * Jest, and in any bundle. One concern per file; append new ones here in order.
 */
const migrations: Record<string, Migration> = {
  '001_core': m001,
  '002_reader': m002,
  '003_realtime': m003,
  '004_moderation': m004,
  '005_polls': m005,
  '006_privacy': m006,
  '007_imports': m007,
  '010_thread_list': m010,
  '011_page_cache': m011,
  '012_listed_placeholders': m012,
  '013_duplicate_check': m013,
  '014_strict_websites': m014,
  '015_reaction_networks': m015,
  '016_member_password_links': m016,
  '024_sso_identities': m024i,
  '024_sso_keys': m024k,
  '024_sso_replay': m024r,
  '025_sso_claims': m025,
  '030_outbox': m030,
  '031_mail': m031,
  '032_moderator_mail': m032,
  '033_outbox_live_keys': m033,
  '040_webhooks': m040,
  '041_webhook_alerts': m041,
  '042_site_webhook_endpoints': m042,
  '043_poll_closing_rows': m043,
  '050_abuse': m050,
  '051_slow_mode': m051,
  '052_proof_of_work': m052,
  '060_site_queue_version': m060,
  '070_picks_qa': m070,
  '080_thread_schedules': m080,
  '081_thread_presets': m081,
  '100_risk_context': m100,
  '101_abuse_regressions': m101,
  '102_outbox_claim_paths': m102,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
