import { register } from '../../../lib/page';
import { bargainCampaignPage } from './page';

register(bargainCampaignPage);
