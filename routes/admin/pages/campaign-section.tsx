// The shape every marketing campaign's section has (flash sales, group buys, bargains, and the
// engines after them): a list, a create form, one campaign's page, and cancel, under one path.
// A new engine's section is one campaignSection({...}) with its own pages, form and services.
import type { FC } from 'hono/jsx';
import type { HtmlEscapedString } from 'hono/utils/html';
import * as v from 'valibot';
import { idOf, validate } from '../../../src/lib/validate';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { isFormRefusal, refusedFields, type FieldErrors, type FormValues, type FormVocabulary } from './form-kit';
import { adminSection, cursorQuery, doneQuery, nextPageHref, render, sameOrigin, session, shopTime, type FormatTime, type PageContext } from './section';

/** A create form as read from the request: the text to show again, its messages, and the service's input once all is valid. */
export type SubmittedForm<I> = { values: FormValues; errors: FieldErrors; input?: I | undefined };

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

export type CampaignSection<Row, Form extends SubmittedForm<unknown>, Notices extends { cancelled: string }> = {
  /** What a 404 here did not find: 秒杀活动 … */
  subject: string;
  /** Where the section is mounted, for links and redirects: /admin/flash-sales … */
  path: string;
  /** The prefix of the campaigns' ids: fls … */
  idPrefix: string;
  /** The notices after a successful action, by the redirect's ?done=. */
  notices: Notices;
  list: (c: PageContext, cursor: string | undefined) => Promise<{ items: Row[]; next_cursor: string | null }>;
  ListPage: FC<{ merchant: MerchantPrincipal; rows: Row[]; nextHref: string | null; time: FormatTime }>;
  FormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }>;
  emptyForm: () => FormValues;
  /** The submitted form checked field by field and by the API's schema; nothing is written here. */
  readForm: (body: Record<string, unknown>, timeZone: string) => Form;
  /** How the form's fields meet the API's paths, for the messages of a refusal. */
  vocabulary: (form: Form) => FormVocabulary;
  /** Creates the campaign; answers the path to show next. */
  create: (c: PageContext, input: NonNullable<Form['input']>) => Promise<string>;
  detail: (c: PageContext, id: string, notice: (keyof Notices & string) | undefined) => Promise<Page>;
  cancel: (c: PageContext, id: string) => Promise<unknown>;
};

export function campaignSection<Row, Form extends SubmittedForm<unknown>, Notices extends { cancelled: string }>(section: CampaignSection<Row, Form, Notices>) {
  const { ListPage, FormPage } = section;
  const param = validate('param', v.object({ id: idOf(section.idPrefix) }));
  const formPage = (c: PageContext, values: FormValues, errors: FieldErrors) => <FormPage merchant={c.var.merchant} values={values} errors={errors} timeZone={c.env.SHOP_TIME_ZONE} />;
  return (
    adminSection(section.subject)
      .get('/', session('viewer'), cursorQuery, async (c) => {
        const page = await section.list(c, c.req.valid('query').cursor);
        return render(c, <ListPage merchant={c.var.merchant} rows={page.items} nextHref={nextPageHref(section.path, page.next_cursor)} time={shopTime(c)} />);
      })
      // Before /:id, which would read "new" as a (bad) id.
      .get('/new', session('operator'), (c) => render(c, formPage(c, section.emptyForm(), {})))
      .post('/', sameOrigin, session('operator'), async (c) => {
        const form = section.readForm(await c.req.parseBody(), c.env.SHOP_TIME_ZONE);
        // A form with errors comes back as a 400; a refusal from the service (400/409/422, nothing written) with its messages.
        const { input } = form;
        if (!input) return render(c, formPage(c, form.values, form.errors), 400);
        try {
          return c.redirect(await section.create(c, input), 303);
        } catch (error) {
          if (isFormRefusal(error)) return render(c, formPage(c, form.values, refusedFields(section.vocabulary(form), error)), error.status);
          throw error;
        }
      })
      .get('/:id', session('viewer'), param, doneQuery(section.notices), async (c) => render(c, await section.detail(c, c.req.valid('param').id, c.req.valid('query').done)))
      .post('/:id/cancel', sameOrigin, session('operator'), param, async (c) => {
        const { id } = c.req.valid('param');
        await section.cancel(c, id);
        return c.redirect(`${section.path}/${id}?done=cancelled`, 303);
      })
  );
}
