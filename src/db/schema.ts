import type { ApiTokenTable } from '../modules/tokens/tokens.table.ts';
import type { OrganisationTable } from '../modules/organisations/organisations.table.ts';
import type { RecoveryCodeTable, SessionTable, SignInFailureTable } from '../modules/auth/auth.table.ts';
import type { AppUserTable, MembershipTable, UserInvitationTable } from '../modules/users/users.table.ts';
import type { AuditChainTable, AuditEventTable } from '../platform/audit/audit.table.ts';
import type { KpiInputTable, KpiObjectiveTable, KpiReminderTable, KpiTable, OrganisationChangeTable } from '../modules/kpis/kpis.table.ts';
import type {
  ContingencyPlanTable,
  RiskActionTable,
  RiskAssessmentTable,
  RiskCategoryTable,
  RiskKpiTable,
  RiskObjectiveTable,
  RiskProjectTable,
  RiskReviewReminderTable,
  RiskTable,
} from '../modules/risk/risk.table.ts';
import type { MeasurementTable } from '../modules/measurements/measurements.table.ts';
import type {
  BoardMemberTable,
  BoardOversightTable,
  BoardTable,
  DecisionLinkTable,
  DecisionTable,
  RaciAssignmentTable,
  ServiceAssessmentPointTable,
  ServiceAssessmentTable,
} from '../modules/governance/governance.table.ts';
import type {
  BenefitTable,
  MilestoneTable,
  ProjectObjectiveTable,
  ProjectPhaseTable,
  ProjectTable,
  StatusReportReminderTable,
  StatusReportTable,
} from '../modules/delivery/delivery.table.ts';
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
  organisation_change: OrganisationChangeTable;
  measurement: MeasurementTable;
  board: BoardTable;
  board_member: BoardMemberTable;
  board_oversight: BoardOversightTable;
  decision: DecisionTable;
  decision_link: DecisionLinkTable;
  raci_assignment: RaciAssignmentTable;
  service_assessment: ServiceAssessmentTable;
  service_assessment_point: ServiceAssessmentPointTable;
  project: ProjectTable;
  project_phase: ProjectPhaseTable;
  project_objective: ProjectObjectiveTable;
  milestone: MilestoneTable;
  status_report: StatusReportTable;
  benefit: BenefitTable;
  status_report_reminder: StatusReportReminderTable;
  risk_category: RiskCategoryTable;
  risk: RiskTable;
  risk_assessment: RiskAssessmentTable;
  risk_objective: RiskObjectiveTable;
  risk_kpi: RiskKpiTable;
  risk_project: RiskProjectTable;
  risk_action: RiskActionTable;
  contingency_plan: ContingencyPlanTable;
  risk_review_reminder: RiskReviewReminderTable;
}
