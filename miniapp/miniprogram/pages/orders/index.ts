import { register } from '../../lib/page';
import { ordersPage } from './page';

register(ordersPage);
