import { register } from '../../../lib/page';
import { groupBuyCampaignPage } from './page';

register(groupBuyCampaignPage);
