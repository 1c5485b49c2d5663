import { createApp } from 'vue';
import App from './App.vue';
import { registerCharts } from './charts';
import './style.css';

registerCharts();
createApp(App).mount('#app');
