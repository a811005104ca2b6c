import { register } from '../../../lib/page';
import { couponCentrePage } from './page';

register(couponCentrePage);
