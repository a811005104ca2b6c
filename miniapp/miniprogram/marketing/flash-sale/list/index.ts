import { register } from '../../../lib/page';
import { flashSaleListPage } from './page';

register(flashSaleListPage);
