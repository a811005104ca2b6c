import { register } from '../../lib/page';
import { afterSaleRequestPage } from './page';

register(afterSaleRequestPage);
