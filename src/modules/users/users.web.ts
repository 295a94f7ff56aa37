import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from '../../platform/access/roles.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import {
  addUser,
  changeRole,
  deactivateMember,
  getMember,
  INVITATION_DAYS,
  listMembers,
  type Member,
  reactivateMember,
  reissueInvitation,
} from './users.service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user id in the URL; anything that cannot be an id is simply not found. */
function userIdParam(request: FastifyRequest): string {
  const id = (request.params as { userId?: string }).userId ?? '';
  if (!UUID.test(id)) throw new NotFoundError();
  return id;
}

/** The roles as radio items, each with what it lets a person do. */
function roleItems(checked: string): { value: string; text: string; hint: { text: string }; checked: boolean }[] {
  return ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role], hint: { text: ROLE_DESCRIPTIONS[role] }, checked: role === checked }));
}

/**
 * An organisation's people, for its admins: the list, adding someone (with a one-time
 * invitation link), changing a role, deactivating and reactivating.
 */
export async function usersWebRoutes(app: FastifyInstance): Promise<void> {
  const adminOnly = { config: { role: 'admin' as const }, schema: { hide: true } };
  const newUserPage = 'users/views/new.njk';
  const userPage = 'users/views/user.njk';
  const deactivatePage = 'users/views/deactivate.njk';
  const invitationUrl = (token: string): string => `${app.config.publicUrl}/invitation?token=${encodeURIComponent(token)}`;

  app.get('/o/:org/users', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const members = await listMembers(app.db, webActor(request), organisation.id);
    return reply.page('users/views/list.njk', { pageTitle: 'Users', organisation, members, roleLabels: ROLE_LABELS });
  });

  app.get('/o/:org/users/new', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    return reply.page(newUserPage, { pageTitle: 'Add a user', organisation, values: {}, roles: roleItems('') });
  });

  app.post('/o/:org/users', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    const values = { email: field(fields, 'email'), name: field(fields, 'name'), role: field(fields, 'role') };
    const data: PageData = { pageTitle: 'Add a user', organisation, values, roles: roleItems(values.role) };
    return withFormErrors(reply, newUserPage, data, async () => {
      const result = await addUser(app.db, webActor(request), organisation.id, values).catch((error: unknown) => {
        // Already a member: a mistake the person can fix on the form, not an error page.
        throw error instanceof ConflictError ? ValidationError.of('email', error.message) : error;
      });
      const invitationLink = result.invitationToken === null ? null : invitationUrl(result.invitationToken);
      // Shown in this response only (pages are never cached): it is not kept anywhere to show again.
      return reply.page('users/views/added.njk', {
        pageTitle: result.existingAccount ? 'User given access' : 'User added',
        organisation,
        user: result.user,
        roleLabel: ROLE_LABELS[values.role as keyof typeof ROLE_LABELS],
        existingAccount: result.existingAccount,
        invitationLink,
        invitationDays: INVITATION_DAYS,
      });
    });
  });

  function userPageData(request: FastifyRequest, member: Member, role: string = member.role): PageData {
    const { organisation } = requireOrg(request);
    return {
      pageTitle: member.name,
      organisation,
      member,
      roleLabels: ROLE_LABELS,
      roles: roleItems(role),
      isSelf: request.session?.user.id === member.id,
    };
  }

  app.get('/o/:org/users/:userId', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const member = await getMember(app.db, webActor(request), organisation.id, userIdParam(request));
    return reply.page(userPage, userPageData(request, member));
  });

  app.post('/o/:org/users/:userId/role', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    // Looked up first, so an unknown or other organisation's user is "not found" whatever was sent.
    const member = await getMember(app.db, actor, organisation.id, userIdParam(request));
    const role = field(formFields(request), 'role');
    return withFormErrors(reply, userPage, { ...userPageData(request, member, role), errorField: 'role' }, async () => {
      await changeRole(app.db, actor, organisation.id, member.id, role);
      const label = ROLE_LABELS[role as keyof typeof ROLE_LABELS];
      if (member.id === request.session?.user.id && role !== 'admin') {
        return redirectWithFlash(reply, `/o/${organisation.slug}`, `Your role is now ${label}`);
      }
      return redirectWithFlash(reply, `/o/${organisation.slug}/users/${member.id}`, `${member.name}’s role is now ${label}`);
    });
  });

  app.get('/o/:org/users/:userId/deactivate', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const member = await getMember(app.db, webActor(request), organisation.id, userIdParam(request));
    return reply.page(deactivatePage, { ...userPageData(request, member), pageTitle: `Deactivate ${member.name}` });
  });

  app.post('/o/:org/users/:userId/deactivate', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const member = await getMember(app.db, actor, organisation.id, userIdParam(request));
    const data = { ...userPageData(request, member), pageTitle: `Deactivate ${member.name}` };
    return withFormErrors(reply, deactivatePage, data, async () => {
      try {
        await deactivateMember(app.db, actor, organisation.id, member.id);
      } catch (error) {
        // The only refusal is about the last admin; point the summary at this page's button.
        if (error instanceof ValidationError) throw new ValidationError(error.errors.map((e) => ({ ...e, field: 'deactivate' })));
        throw error;
      }
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/users/${member.id}`,
        `${member.name} has been deactivated and signed out everywhere`,
      );
    });
  });

  app.post('/o/:org/users/:userId/reactivate', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const member = await getMember(app.db, actor, organisation.id, userIdParam(request));
    await reactivateMember(app.db, actor, organisation.id, member.id);
    return redirectWithFlash(reply, `/o/${organisation.slug}/users/${member.id}`, `${member.name} can use ${organisation.name} again`);
  });

  app.post('/o/:org/users/:userId/invitation', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const member = await getMember(app.db, actor, organisation.id, userIdParam(request));
    return withFormErrors(reply, userPage, userPageData(request, member), async () => {
      const { invitationToken } = await reissueInvitation(app.db, actor, organisation.id, member.id);
      return reply.page('users/views/reissued.njk', {
        pageTitle: 'New invitation link',
        organisation,
        member,
        invitationLink: invitationUrl(invitationToken),
        invitationDays: INVITATION_DAYS,
      });
    });
  });
}
