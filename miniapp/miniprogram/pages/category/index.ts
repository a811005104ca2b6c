import { register } from '../../lib/page';
import { categoryPage } from './page';

register(categoryPage);
