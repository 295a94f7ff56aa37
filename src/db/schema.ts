import type { ApiTokenTable } from '../modules/tokens/tokens.table.ts';
import type { OrganisationTable } from '../modules/organisations/organisations.table.ts';
import type { RecoveryCodeTable, SessionTable, SignInFailureTable } from '../modules/auth/auth.table.ts';
import type { AppUserTable, MembershipTable, UserInvitationTable } from '../modules/users/users.table.ts';
import type { AuditChainTable, AuditEventTable } from '../platform/audit/audit.table.ts';
import type { KpiInputTable, KpiObjectiveTable, KpiReminderTable, KpiTable } from '../modules/kpis/kpis.table.ts';
import type { MeasurementTable } from '../modules/measurements/measurements.table.ts';
import type {
  AgendaTagTable,
  GoalTable,
  ObjectiveTable,
  StrategyTable,
  StrategyVersionTable,
} from '../modules/strategy/strategy.table.ts';

/** Every table, as Kysely sees it. Each module declares its own tables in `<name>.table.ts`. */
export interface Database {
  organisation: OrganisationTable;
  app_user: AppUserTable;
  membership: MembershipTable;
  user_invitation: UserInvitationTable;
  session: SessionTable;
  recovery_code: RecoveryCodeTable;
  sign_in_failure: SignInFailureTable;
  api_token: ApiTokenTable;
  audit_chain: AuditChainTable;
  audit_event: AuditEventTable;
  agenda_tag: AgendaTagTable;
  strategy: StrategyTable;
  strategy_version: StrategyVersionTable;
  goal: GoalTable;
  objective: ObjectiveTable;
  kpi: KpiTable;
  kpi_objective: KpiObjectiveTable;
  kpi_input: KpiInputTable;
  kpi_reminder: KpiReminderTable;
  measurement: MeasurementTable;
}
