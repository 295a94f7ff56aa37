import type { FastifyInstance } from 'fastify';
import { switchOrganisation } from '../auth/auth.service.ts';
import { redirectWithFlash, requireOrg, requireSession, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import { ValidationError } from '../../platform/errors.ts';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { dashboardView, getDashboard } from '../dashboard/dashboard.service.ts';
import { findOrganisationById, listChildOrganisations, setRequireMfa } from './organisations.service.ts';

/** An organisation's overview (its dashboard), the organisation switcher and the organisation's settings. */
export async function organisationsWebRoutes(app: FastifyInstance): Promise<void> {
  const switcherPage = 'organisations/views/switch.njk';

  app.get('/organisations', { schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    return reply.page(switcherPage, { pageTitle: 'Switch organisation', current: session.organisationId });
  });

  app.post('/organisations', { schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const slug = field(formFields(request), 'organisation');
    return withFormErrors(reply, switcherPage, { pageTitle: 'Switch organisation', current: session.organisationId, errorField: 'organisation' }, async () => {
      const membership = session.memberships.find((m) => m.slug === slug);
      if (membership === undefined) throw ValidationError.of('organisation', 'Choose one of your organisations');
      await switchOrganisation(app.db, session, membership.organisationId);
      return reply.redirect(`/o/${membership.slug}`, 303);
    });
  });

  app.get('/o/:org', { schema: { hide: true } }, async (request, reply) => {
    const { organisation, role } = requireOrg(request);
    const actor = webActor(request);
    const [parent, children, dashboard] = await Promise.all([
      organisation.parentId === null ? undefined : findOrganisationById(app.db, organisation.parentId),
      listChildOrganisations(app.db, actor, organisation.id),
      getDashboard(app.db, actor, organisation.id),
    ]);
    return reply.page('organisations/views/overview.njk', {
      pageTitle: organisation.name,
      organisation,
      role,
      parent,
      children,
      view: dashboardView(dashboard, organisation.slug),
      canManage: roleAtLeast(role, 'manager'),
    });
  });

  const settingsPage = 'organisations/views/settings.njk';
  app.get('/o/:org/settings', { config: { role: 'admin' }, schema: { hide: true } }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    return reply.page(settingsPage, { pageTitle: 'Settings', organisation });
  });

  app.post('/o/:org/settings', { config: { role: 'admin' }, schema: { hide: true } }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const value = field(formFields(request), 'requireMfa');
    return withFormErrors(reply, settingsPage, { pageTitle: 'Settings', organisation, errorField: 'requireMfa' }, async () => {
      if (value !== 'yes' && value !== 'no') throw ValidationError.of('requireMfa', 'Choose whether everyone must use two-factor authentication');
      const session = requireSession(request);
      if (value === 'yes' && !session.user.mfaEnabled) {
        throw ValidationError.of('requireMfa', 'Set up two-factor authentication for your own account first, so you are not locked out');
      }
      await setRequireMfa(app.db, webActor(request), organisation.id, value === 'yes');
      return redirectWithFlash(reply, `/o/${organisation.slug}/settings`, 'Settings saved');
    });
  });
}
