import { register } from '../../lib/page';
import { productPage } from './page';

register(productPage);
