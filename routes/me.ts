// The signed-in shopper's own profile (with the birthday that loyalty's birthday benefits use) and shipping addresses.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { httpsUrl, idOf, text, validate } from '../src/lib/validate';
import { createAddress, deleteAddress, findOwnAddress, addressView, listAddresses, updateAddress } from '../src/services/addresses';
import { requireShopper } from '../src/http/auth';
import { ownProfile, updateProfile } from '../src/services/shoppers';
import { birthdayView, findBirthday, setBirthday } from '../src/services/loyalty/birthdays';

const mainlandMobile = v.pipe(v.string(), v.regex(/^1[3-9]\d{9}$/, 'must be an 11-digit mainland mobile number'));
const addressFields = {
  recipient: text(20),
  phone: mainlandMobile,
  province: text(20),
  city: text(20),
  district: text(20),
  detail: text(120),
  postal_code: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^\d{6}$/, 'must be 6 digits')))),
  is_default: v.optional(v.boolean()),
};
const createAddressBody = v.strictObject(addressFields);
const updateAddressBody = v.pipe(
  v.strictObject({
    recipient: v.optional(addressFields.recipient),
    phone: v.optional(addressFields.phone),
    province: v.optional(addressFields.province),
    city: v.optional(addressFields.city),
    district: v.optional(addressFields.district),
    detail: v.optional(addressFields.detail),
    postal_code: addressFields.postal_code,
    is_default: addressFields.is_default,
  }),
  v.check((body) => Object.keys(body).length > 0, 'must change at least one field'),
);
const addressParam = validate('param', v.object({ id: idOf('adr') }));

export const meRoutes = new Hono<AppEnv>()
  .use('/me', requireShopper())
  .use('/me/*', requireShopper())
  .get('/me', async (c) => {
    const [profile, birthday] = await Promise.all([ownProfile(c.var.db, c.var.shopper.id), findBirthday(c.var.db, c.var.shopper.id)]);
    return c.json({ ...profile, birthday: birthdayView(birthday) });
  })
  .patch(
    '/me',
    validate(
      'json',
      v.pipe(
        v.strictObject({
          nickname: v.optional(text(32)),
          avatar_url: v.optional(v.nullable(httpsUrl)),
          birthday: v.optional(v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)'))),
        }),
        v.check((b) => Object.keys(b).length > 0, 'must change at least one field'),
      ),
    ),
    async (c) => {
      const { birthday, ...profile } = c.req.valid('json');
      // The birthday first: it is the part that can be refused (then nothing is written).
      if (birthday !== undefined) await setBirthday(c.var.db, c.var.shopper.id, birthday, c.var.clock.now(), c.env.SHOP_TIME_ZONE);
      if (Object.keys(profile).length) await updateProfile(c.var.db, c.var.shopper.id, profile, c.var.clock.now());
      return c.json({ ok: true });
    },
  )
  .get('/me/addresses', async (c) => c.json({ items: await listAddresses(c.var.db, c.var.shopper.id), next_cursor: null }))
  .post('/me/addresses', validate('json', createAddressBody), async (c) => c.json(await createAddress(c.var.db, c.var.shopper.id, c.req.valid('json'), c.var.clock.now()), 201))
  .get('/me/addresses/:id', addressParam, async (c) => c.json(addressView(await findOwnAddress(c.var.db, c.var.shopper.id, c.req.valid('param').id))))
  .patch('/me/addresses/:id', addressParam, validate('json', updateAddressBody), async (c) =>
    c.json(await updateAddress(c.var.db, c.var.shopper.id, c.req.valid('param').id, c.req.valid('json'), c.var.clock.now())),
  )
  .delete('/me/addresses/:id', addressParam, async (c) => {
    await deleteAddress(c.var.db, c.var.shopper.id, c.req.valid('param').id, c.var.clock.now());
    return c.body(null, 204);
  });
