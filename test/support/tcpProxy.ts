export * from '../../tools/harness/tcpProxy';
