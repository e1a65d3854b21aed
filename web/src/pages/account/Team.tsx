/** Team: the account's members and their roles; invite, change a role, remove, reset a password. */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import {
  useChangeMember,
  useInvite,
  useMembers,
  useRemoveMember,
  useResetMember,
  type Member,
  type Role,
} from '../../api/account';
import { ApiError } from '../../api/client';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { ConfirmButton } from '../../components/ConfirmButton';

const ROLES: Role[] = ['admin', 'sender', 'viewer'];
const ROLE_HINT = 'admin: everything, people and keys too · sender: sends, edits contacts · viewer: reads';

export function TeamSection({ canChange, me }: { canChange: boolean; me: number | undefined }) {
  const members = useMembers();
  const change = useChangeMember();
  const remove = useRemoveMember();
  const reset = useResetMember();
  const [resetFor, setResetFor] = useState<Member>();
  return (
    <section aria-labelledby="team-h">
      <h2 id="team-h">Team</h2>
      <ErrorNote error={members.error ?? change.error ?? remove.error ?? reset.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Members</caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Last sign-in</th>
              {canChange && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {members.data?.data.map((m) => (
              <tr key={m.id}>
                <td data-label="Member">
                  {m.email}
                  {m.id === me && ' (you)'}
                  {!m.has_password && <span className="badge info">invited</span>}
                  {!m.enabled && <span className="badge neutral">disabled</span>}
                </td>
                <td data-label="Role">
                  {canChange && m.role !== 'owner' ? (
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) => change.mutate({ id: m.id, role: e.target.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                  ) : (
                    m.role
                  )}
                </td>
                <td data-label="Last sign-in">
                  {m.last_sign_in_at ? new Date(m.last_sign_in_at).toLocaleString() : 'never'}
                </td>
                {canChange && (
                  <td data-label="Actions" className="actions">
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => reset.mutate(m.id, { onSuccess: () => setResetFor(m) })}
                    >
                      Reset password of {m.email}
                    </button>
                    {m.role !== 'owner' && (
                      <ConfirmButton
                        label={`Remove ${m.email}`}
                        question={`Remove ${m.email}? They are signed out at once.`}
                        confirm="Yes, remove"
                        onConfirm={() => remove.mutate(m.id)}
                      />
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {reset.data && resetFor && (
        <OneTimeSecret
          label={`Set-password token for ${resetFor.email}`}
          value={reset.data.setup_token}
          note="Hand it to them: they set a new password with it on the sign-in page's set-password step. Shown once."
        />
      )}
      {canChange && <InviteForm />}
    </section>
  );
}

function InviteForm() {
  const invite = useInvite();
  const { register, handleSubmit, reset, formState } = useForm<{ email: string; role: Role }>({
    defaultValues: { email: '', role: 'sender' },
  });
  const fieldError = (f: string) =>
    invite.error instanceof ApiError && invite.error.field === f ? invite.error.message : undefined;
  return (
    <>
      <h3>Invite someone</h3>
      <p className="hint">{ROLE_HINT}</p>
      <form
        className="inline"
        noValidate
        onSubmit={handleSubmit((f) =>
          invite.mutate({ email: f.email.trim(), role: f.role }, { onSuccess: () => reset() }),
        )}
      >
        <Field label="Email" error={formState.errors.email?.message ?? fieldError('email')}>
          {(id, d) => (
            <input
              id={id}
              type="email"
              aria-describedby={d}
              {...register('email', { required: 'Enter their email address.' })}
            />
          )}
        </Field>
        <Field label="Role" error={fieldError('role')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} {...register('role')}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={invite.isPending}>
          Invite
        </button>
      </form>
      {!fieldError('email') && !fieldError('role') && <ErrorNote error={invite.error} />}
      {invite.data?.setup_token && (
        <OneTimeSecret
          label={`Invitation token for ${invite.data.user.email}`}
          value={invite.data.setup_token}
          note="Hermod sends no email: hand it to them to set their password (POST /v1/session/setup). Shown once."
        />
      )}
    </>
  );
}
