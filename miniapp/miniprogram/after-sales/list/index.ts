import { register } from '../../lib/page';
import { afterSalesPage } from './page';

register(afterSalesPage);
