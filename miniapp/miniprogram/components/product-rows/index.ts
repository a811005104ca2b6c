import { register } from '../../lib/page';
import { productRows } from './component';

register(productRows);
