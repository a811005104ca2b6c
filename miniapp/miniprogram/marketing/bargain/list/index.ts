import { register } from '../../../lib/page';
import { bargainListPage } from './page';

register(bargainListPage);
