import { register } from '../../lib/page';
import { price } from './component';

register(price);
