export * from '../../infra/faults/tcpProxy';
