// The admin's one form kit, used by every section: rendering fields, reading a submitted form into
// typed values, and the one mapping from a refusal (a schema's issues, or the API's error code and
// field paths) to Chinese messages next to the right fields. The API speaks English to programs;
// everything a merchant reads on these pages is Chinese, so no API message is ever shown as is.
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import * as v from 'valibot';
import { ApiError, type ErrorDetail } from '../../../src/lib/errors';
import { parseYuanToFen } from '../../../src/lib/money';
import { MAX_FEN } from '../../../src/lib/validate';
import { zonedLocalTimeToEpoch } from '../../../src/lib/zoned-time';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { Layout, Notice } from './layout';

/** Form field values and the messages shown next to them, both keyed by input name. */
export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;
type InputMode = 'decimal' | 'numeric';
type FieldProps = { name: string; values: FormValues; errors: FieldErrors; label?: string; inputmode?: InputMode };

// ---------------------------------------------------------------------------------------------
// Rendering

const FieldError: FC<{ message: string | undefined }> = ({ message }) => (message ? <span class="field-error">{message}</span> : null);

/** An input for editors, the plain value for viewers; the field's error message below it. */
export const Field: FC<FieldProps & { editable: boolean }> = ({ name, values, errors, editable, label, inputmode }) => {
  const value = values[name] ?? '';
  const input: Child = editable ? (
    <input type="text" name={name} value={value} inputmode={inputmode} aria-label={label} aria-invalid={errors[name] ? 'true' : undefined} />
  ) : (
    value || <span class="muted">—</span>
  );
  return (
    <>
      {input}
      <FieldError message={errors[name]} />
    </>
  );
};

/** An editable field with its label around it. */
export const LabeledField: FC<FieldProps & { label: string }> = (props) => (
  <label>
    {props.label}
    <Field {...props} editable />
  </label>
);

/** A wall-clock time in the shop's time zone; read back with fieldReader().time. */
export const TimeField: FC<{ name: string; label: string; values: FormValues; errors: FieldErrors }> = ({ name, label, values, errors }) => (
  <label>
    {label}
    <input type="datetime-local" name={name} value={values[name] ?? ''} aria-invalid={errors[name] ? 'true' : undefined} required />
    <FieldError message={errors[name]} />
  </label>
);

/** A <select> of fixed choices, with its label and error. */
export const ChoiceField: FC<{ name: string; label: string; choices: Record<string, string>; values: FormValues; errors: FieldErrors }> = ({ name, label, choices, values, errors }) => (
  <label>
    {label}
    <select name={name}>
      {Object.entries(choices).map(([value, text]) => (
        <option value={value} selected={values[name] === value}>
          {text}
        </option>
      ))}
    </select>
    <FieldError message={errors[name]} />
  </label>
);

/** Above a refused form: nothing was saved. The messages themselves sit next to their fields. */
export const RefusedNotice: FC<{ errors: FieldErrors }> = ({ errors }) => (Object.keys(errors).length > 0 ? <Notice kind="error">有字段填写不正确，什么都没有保存。请修改后重试。</Notice> : null);

/** A page holding one create form: the refusal notice, the fields, the submit button, the way back. */
export const CreateFormPage: FC<PropsWithChildren<{ title: string; merchant: MerchantPrincipal; action: string; errors: FieldErrors; listHref: string }>> = ({
  title,
  merchant,
  action,
  errors,
  listHref,
  children,
}) => (
  <Layout title={title} merchant={merchant}>
    <RefusedNotice errors={errors} />
    <form method="post" action={action}>
      {children}
      <button type="submit">创建</button>
    </form>
    <p>
      <a href={listHref}>返回列表</a>
    </p>
  </Layout>
);

// ---------------------------------------------------------------------------------------------
// Reading

/** The named fields of a submitted form as text; a field not sent (or a file) is ''. */
export function readFormValues(body: Record<string, unknown>, names: readonly string[]): FormValues {
  return Object.fromEntries(names.map((name) => [name, typeof body[name] === 'string' ? (body[name] as string) : '']));
}

/**
 * Typed values out of a form's text. A field that is not in shape gets its message in `errors`
 * and reads as 0 (or ''), so the caller checks `errors` before using what it read.
 */
export function fieldReader(values: FormValues, errors: FieldErrors) {
  const text = (name: string) => (values[name] ?? '').trim();
  const integer = (name: string) => {
    if (/^\d{1,9}$/.test(text(name))) return Number(text(name));
    errors[name] = '请输入整数';
    return 0;
  };
  const money = (name: string) => {
    const fen = parseYuanToFen(text(name));
    if (fen !== null && fen <= MAX_FEN) return fen;
    errors[name] = fen === null ? '请输入金额，最多两位小数，如 9.90' : '金额过大';
    return 0;
  };
  return {
    integer,
    money,
    optionalInteger: (name: string) => (text(name) === '' ? undefined : integer(name)),
    optionalMoney: (name: string) => (text(name) === '' ? undefined : money(name)),
    /** A <TimeField>: the wall-clock time typed in the shop's time zone, as an ISO time. */
    time(name: string, timeZone: string): string {
      const epoch = zonedLocalTimeToEpoch(text(name), timeZone);
      if (epoch === null) errors[name] = '请选择日期和时间';
      return epoch === null ? '' : new Date(epoch).toISOString();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Messages

/** What a form was refused with: the API's error, or a schema's issues (see schemaRefusal). */
export type Refusal = { code: string; details: readonly ErrorDetail[] };

/** Chinese for a refusal at one path; a function tells apart the cases one path can have by the API's wording. */
export type FieldMessage = string | ((apiMessage: string) => string);

/** How one form meets the API. */
export type FormVocabulary = {
  /** The form field an API field path (without "body.") points at. */
  fieldOf: (path: string) => string;
  /** Chinese by API field path with row numbers left out ("items.flash_price_fen"); a path without an entry uses its parent's. */
  messages: Record<string, FieldMessage>;
  /** Where a refusal goes that names no field. */
  fallbackField: string;
};

/** The business refusals a merchant can meet on these pages, by the API's error code: the same words on a form and on an error page. */
const codeMessages: Record<string, string> = {
  starts_in_past: '开始时间已经过去',
  no_slot_in_window: '活动时间内没有任何场次',
  sku_not_found: '没有这个 SKU',
  coupon_template_not_found: '没有这个优惠券模板',
  check_in_reward_exists: '已有相同类型和天数的签到奖励',
  sku_not_sellable: '这个 SKU 已删除，或商品未上架',
  flash_price_above_price: '秒杀价不能高于商品售价',
  insufficient_stock: '秒杀库存不能超过商品当前库存',
  flash_sale_overlap: '这个 SKU 在这段时间已有秒杀活动',
  start_above_price: '起始价不能高于商品售价',
  campaign_closed: '这个活动已经取消或结算了。',
  rate_limited: '尝试过于频繁，请稍后再试。',
  campaign_ended: '这个活动已经结束了。',
  stock_objects_unavailable: '暂时读不到实时库存，请稍后刷新。',
  illegal_transition: '订单现在的状态不能这样操作，请刷新页面查看最新状态。',
  order_on_hold: '这个订单的拼团还没有结束，暂时不能这样操作。',
  already_shipped: '这个订单已经发货了。',
  return_address_missing: '请先在履约设置中填写退货地址。',
  concurrent_change: '这条记录刚被别人改过，请刷新页面后再试。',
  no_skus: '商品至少要有一个规格才能上架。',
  foreign_origin: '这个表单不是从本站的页面提交的，已拒绝。请回到后台页面重新操作。',
};

/** Fields several forms share, with one meaning everywhere. */
const sharedFieldMessages: Record<string, FieldMessage> = {
  title: '请填写标题，最多 60 个字',
  // The form always sends a well-formed time, so the only way to get this wrong is a time gone by.
  starts_at: '开始时间已经过去',
  ends_at: '结束时间必须晚于开始时间',
};

const GENERIC_FIELD_MESSAGE = '这一项填写不正确，请检查';

function fieldMessage(messages: Record<string, FieldMessage>, path: string, apiMessage: string): string {
  for (let key = path.replace(/\.\d+(?=\.|$)/g, ''); key; key = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : '') {
    const message = messages[key] ?? sharedFieldMessages[key];
    if (message !== undefined) return typeof message === 'string' ? message : message(apiMessage);
  }
  return GENERIC_FIELD_MESSAGE;
}

/** A schema's issues as a refusal, with the same field paths the API would give them. */
export const schemaRefusal = (issues: readonly v.BaseIssue<unknown>[]): Refusal => ({
  code: 'invalid_input',
  details: issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issue.message })),
});

/** A refused form's messages, each next to the field it is about (the first message per field wins). */
export function refusedFields(form: FormVocabulary, refusal: Refusal): FieldErrors {
  const errors: FieldErrors = {};
  for (const detail of refusal.details) {
    const path = detail.path.replace(/^body\.?/, '');
    errors[form.fieldOf(path)] ??= codeMessages[refusal.code] ?? fieldMessage(form.messages, path, detail.message);
  }
  if (Object.keys(errors).length === 0) errors[form.fallbackField] = codeMessages[refusal.code] ?? GENERIC_FIELD_MESSAGE;
  return errors;
}

/** The API's refusals that a create form answers by showing the form again (they wrote nothing). */
export const isFormRefusal = (error: unknown): error is ApiError => error instanceof ApiError && [400, 409, 422].includes(error.status);

const SERVER_ERROR = '服务器出错了，请稍后再试。';

function statusMessage(status: number, subject: string): string {
  const byStatus: Record<number, string> = {
    400: '链接或填写的内容不正确。',
    401: '请先登录。',
    403: '你的账号没有这个操作的权限。',
    404: `没有找到这个${subject}。`,
    409: '这个操作与当前状态冲突，请刷新页面后再试。',
    422: '这个操作不符合规则，什么都没有保存。',
    429: '操作太频繁，请稍后再试。',
    503: '服务暂时不可用，请稍后再试。',
  };
  return byStatus[status] ?? (status >= 500 ? SERVER_ERROR : '请求没有完成，请检查后重试。');
}

/**
 * What an error page (or the login form) says about an error: by its code when the code has
 * words of its own, else by its status; `subject` names what a 404 did not find (商品, 订单 …).
 */
export function pageMessage(error: unknown, subject = '页面', byStatus: Partial<Record<number, string>> = {}): string {
  if (!(error instanceof ApiError)) return SERVER_ERROR;
  return byStatus[error.status] ?? codeMessages[error.code] ?? statusMessage(error.status, subject);
}
