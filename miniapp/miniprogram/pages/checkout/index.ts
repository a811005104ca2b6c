import { register } from '../../lib/page';
import { checkoutPage } from './page';

register(checkoutPage);
