import { register } from '../../lib/page';
import { orderDetailPage } from './page';

register(orderDetailPage);
