import { register } from '../../lib/page';
import { productListPage } from './page';

register(productListPage);
