import { register } from '../../../lib/page';
import { groupBuyListPage } from './page';

register(groupBuyListPage);
