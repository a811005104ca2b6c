import { register } from '../../../lib/page';
import { flashSaleDetailPage } from './page';

register(flashSaleDetailPage);
