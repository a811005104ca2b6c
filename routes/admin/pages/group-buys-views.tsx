// The group-buys section's HTML (拼团): the list, the create form (one SKU; campaigns with more go
// through the JSON API) and one campaign with its rooms and the cancel button.
import type { FC } from 'hono/jsx';
import { formatFenWithYuanSign } from '../../../src/lib/money';
import type { roomsOfCampaign } from '../../../src/marketing/group-buy/room-views';
import type { AdminGroupBuy, listGroupBuysForAdmin } from '../../../src/marketing/group-buy/campaigns';
import type { MerchantPrincipal } from '../../../src/services/merchant-auth';
import { ChoiceField, CreateFormPage, LabeledField, TimeField, type FieldErrors, type FormValues } from './form-kit';
import { CampaignDetailPage, campaignStateLabels, cancelHref, ListPage, TableHead } from './layout';
import type { FormatTime } from './section';

export type GroupBuySummary = Awaited<ReturnType<typeof listGroupBuysForAdmin>>['items'][number];
export type GroupBuyRoomRow = Awaited<ReturnType<typeof roomsOfCampaign>>[number];

export const groupBuyNotices = {
  created: '拼团活动已创建。',
  cancelled: '拼团活动已取消：不能再开团或参团，进行中的团照常结束。',
} as const;
export type GroupBuyNotice = keyof typeof groupBuyNotices;

const roomStatusLabels = { open: '进行中', succeeded: '已成团', failed: '未成团' } as const;
const policyLabels = { refuse: '提示已满', new_room: '自动开新团' } as const;

const tierText = (tiers: { min_size: number; price_fen: number }[]) => tiers.map((t) => `${t.min_size} 人 ${formatFenWithYuanSign(t.price_fen)}`).join(' / ');

export const GroupBuyListPage: FC<{ merchant: MerchantPrincipal; rows: GroupBuySummary[]; nextHref: string | null; time: FormatTime }> = ({ merchant, rows, nextHref, time }) => (
  <ListPage title="拼团" merchant={merchant} create={{ href: '/admin/group-buys/new', label: '新建拼团活动' }} empty={rows.length === 0} emptyText="还没有拼团活动。" nextHref={nextHref}>
    <TableHead columns={['活动', '状态', '成团人数', '价格', '开始', '结束']} />
    <tbody>
      {rows.map((g) => (
        <tr>
          <td>
            <a href={`/admin/group-buys/${g.id}`}>{g.title}</a>
          </td>
          <td>{campaignStateLabels[g.state]}</td>
          <td>{g.tiers.length ? `${g.group_size}–${g.max_size} 人` : `${g.group_size} 人`}</td>
          <td>{g.tiers.length ? tierText(g.tiers) : g.skus.map((s) => formatFenWithYuanSign(s.group_price_fen)).join(' / ')}</td>
          <td>{time(g.starts_at)}</td>
          <td>{time(g.ends_at)}</td>
        </tr>
      ))}
    </tbody>
  </ListPage>
);

export const GroupBuyFormPage: FC<{ merchant: MerchantPrincipal; values: FormValues; errors: FieldErrors; timeZone: string }> = ({ merchant, values, errors, timeZone }) => {
  const field = { values, errors };
  return (
    <CreateFormPage title="新建拼团活动" merchant={merchant} action="/admin/group-buys" errors={errors} listHref="/admin/group-buys">
      <LabeledField name="title" label="标题" {...field} />
      <TimeField name="starts_at" label={`开始（${timeZone}）`} {...field} />
      <TimeField name="ends_at" label={`结束（${timeZone}）`} {...field} />
      <LabeledField name="sku_id" label="SKU 编号" {...field} />
      <LabeledField name="group_price" label="拼团价（元；阶梯拼团不填）" inputmode="decimal" {...field} />
      <LabeledField name="group_size" label="成团人数（阶梯拼团不填）" inputmode="numeric" {...field} />
      <LabeledField name="tiers" label="阶梯（人数:每人价格，如 2:90, 5:80, 10:70）" {...field} />
      <LabeledField name="max_size" label="最多人数（阶梯拼团）" inputmode="numeric" {...field} />
      <LabeledField name="leader_discount" label="团长优惠（元）" inputmode="decimal" {...field} />
      <LabeledField name="duration_minutes" label="成团时限（分钟）" inputmode="numeric" {...field} />
      <LabeledField name="payment_window_minutes" label="支付时限（分钟）" inputmode="numeric" {...field} />
      <LabeledField name="per_user_limit" label="每人限参团数" inputmode="numeric" {...field} />
      <LabeledField name="simulate_share_percent" label="模拟成团：已付人数达到百分之几时（不填则不模拟）" inputmode="numeric" {...field} />
      <ChoiceField name="full_room_policy" label="团满时" choices={policyLabels} {...field} />
    </CreateFormPage>
  );
};

export const GroupBuyDetailPage: FC<{ merchant: MerchantPrincipal; campaign: AdminGroupBuy; rooms: GroupBuyRoomRow[]; time: FormatTime; notice?: GroupBuyNotice | undefined }> = ({
  merchant,
  campaign,
  rooms,
  time,
  notice,
}) => (
  <CampaignDetailPage
    title={campaign.title}
    merchant={merchant}
    notice={notice && groupBuyNotices[notice]}
    state={campaignStateLabels[campaign.state]}
    listHref="/admin/group-buys"
    cancelAction={cancelHref(campaign.state, `/admin/group-buys/${campaign.id}/cancel`)}
  >
    <dl>
      <dt>时间</dt>
      <dd>
        {time(campaign.starts_at)} – {time(campaign.ends_at)}
      </dd>
      <dt>成团人数</dt>
      <dd>{campaign.tiers.length ? `${campaign.group_size}–${campaign.max_size} 人（${tierText(campaign.tiers)}）` : `${campaign.group_size} 人`}</dd>
      <dt>团长优惠</dt>
      <dd>{formatFenWithYuanSign(campaign.leader_discount_fen)}</dd>
      <dt>时限</dt>
      <dd>
        成团 {campaign.duration_minutes} 分钟，支付 {campaign.payment_window_minutes} 分钟
      </dd>
      <dt>模拟成团</dt>
      <dd>{campaign.simulate_share_percent === null ? '不模拟' : `已付达到 ${campaign.simulate_share_percent}%`}</dd>
      <dt>团满时</dt>
      <dd>{policyLabels[campaign.full_room_policy]}</dd>
      <dt>团数</dt>
      <dd>
        进行中 {campaign.rooms.open}，已成团 {campaign.rooms.succeeded}，未成团 {campaign.rooms.failed}
      </dd>
    </dl>
    <section>
      <h2>SKU</h2>
      <table>
        <TableHead columns={['SKU', '规格', { num: '原价' }, { num: '拼团价' }]} />
        <tbody>
          {campaign.skus.map((s) => (
            <tr>
              <td>{s.sku_id}</td>
              <td>{s.spec_text || '—'}</td>
              <td class="num">{formatFenWithYuanSign(s.price_fen)}</td>
              <td class="num">{formatFenWithYuanSign(s.group_price_fen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
    <section>
      <h2>最近的团</h2>
      <table>
        <TableHead columns={['团', '邀请码', '状态', '截止', { num: '成团人数' }]} />
        <tbody>
          {rooms.map((r) => (
            <tr>
              <td>{r.id}</td>
              <td>{r.inviteCode}</td>
              <td>{roomStatusLabels[r.status]}</td>
              <td>{time(r.expiresAt)}</td>
              <td class="num">{r.finalSize === null ? '—' : r.simulatedCount ? `${r.finalSize}（含模拟 ${r.simulatedCount}）` : r.finalSize}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rooms.length === 0 && <p class="muted">还没有人开团。</p>}
    </section>
  </CampaignDetailPage>
);
