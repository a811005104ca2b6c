import { register } from '../../lib/page';
import { cartPage } from './page';

register(cartPage);
