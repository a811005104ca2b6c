import { register } from '../../../lib/page';
import { myCouponsPage } from './page';

register(myCouponsPage);
