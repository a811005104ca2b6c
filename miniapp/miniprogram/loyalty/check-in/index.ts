import { register } from '../../lib/page';
import { checkInPage } from './page';

register(checkInPage);
