import { register } from '../../lib/page';
import { afterSalePage } from './page';

register(afterSalePage);
