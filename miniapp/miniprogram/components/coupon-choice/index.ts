import { register } from '../../lib/page';
import { couponChoice } from './component';

register(couponChoice);
