import { register } from '../../lib/page';
import { searchPage } from './page';

register(searchPage);
