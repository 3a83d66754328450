import { authenticateApiKey, authenticateSessionCookie, can, memberActor, roleOf } from '../../server/members';
import { createApiKey } from '../../server/members/apikey.service';
import { buildSite } from '../helpers/factories';
import { useParley } from '../helpers/parley';
import { addMember, signIn } from '../helpers/staff';

const parley = useParley();

const db = () => parley.database.db;

describe('the functions other layers use to recognise staff', () => {
  it('turns a Cookie header into the member and their roles, and a key into its site', async () => {
    const a = await buildSite(db());
    const b = await buildSite(db());
    const m = await addMember(db(), [[a.id, 'moderator'], [b.id, 'journalist']]);
    const { cookie } = await signIn(parley, m.email, m.password);

    const session = await authenticateSessionCookie(db(), `theme=dark; ${cookie}; other=1`);
    expect(session?.member.id).toBe(m.id);
    const actor = memberActor(session!);
    expect(can(actor, a.id, 'moderate')).toBe(true);
    expect(can(actor, b.id, 'moderate')).toBe(false);
    expect(can(actor, b.id, 'post')).toBe(true);
    expect(await roleOf(db(), m.id, a.id)).toBe('moderator');
    expect(await roleOf(db(), m.id, 'elsewhere')).toBeNull();

    expect(await authenticateSessionCookie(db(), 'parley_session=ms_forged')).toBeNull();
    expect(await authenticateSessionCookie(db(), undefined)).toBeNull();

    const { secret } = await createApiKey(db(), { siteId: a.id, name: 'CMS', createdBy: null });
    const key = await authenticateApiKey(db(), secret);
    expect(key).toMatchObject({ kind: 'key', siteId: a.id, name: 'CMS' });
    expect(can(key!, a.id, 'moderate')).toBe(true);
    expect(can(key!, a.id, 'administer')).toBe(false);
    expect(can(key!, b.id, 'view_site')).toBe(false);
    expect(await authenticateApiKey(db(), 'sk_nope')).toBeNull();
  });
});
